// A small, strict, non-validating XML parser for SOAP responses. It replaces fast-xml-parser on the
// hot path: a 5000-VM RetrievePropertiesEx answer is ~5 MB of XML, which fast-xml-parser's
// preserveOrder mode took over a second to parse (see bench/PROFILE.md). SOAP needs only elements,
// attributes and text, so the tree is compact: an element's text is the concatenation of its
// direct text and CDATA (the decoder never needs mixed-content order), its children are elements.
// Well-formedness that matters is checked (matching end tags, quoted attributes, known entities);
// DOCTYPE is refused (SOAP forbids it, and it is how entity-expansion attacks start).

export interface XmlElement {
  /** Qualified name as written, e.g. "soapenv:Body". */
  name: string;
  /** Attributes as written (qualified names), or null when there are none. */
  attrs: Record<string, string> | null;
  children: XmlElement[];
  /** Concatenated direct text and CDATA content, entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'XmlSyntaxError';
  }
}

/** Shared by every element without children until its first child (most elements are leaves). */
const NO_CHILDREN = Object.freeze([]) as unknown as XmlElement[];

/**
 * vim25 data nests a few dozen levels at most (a disk's backing chain grows one level per
 * snapshot); the decoder is recursive, so anything deeper is refused here rather than
 * overflowing its stack.
 */
const MAX_DEPTH = 512;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces entity and character references (text and attribute values). */
function decodeEntities(s: string, offset: number): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', last)) {
    const end = s.indexOf(';', i);
    if (end < 0 || end - i > 12) throw new XmlSyntaxError('unterminated entity reference', offset + i);
    const ref = s.slice(i + 1, end);
    let ch: string | undefined;
    if (ref.charCodeAt(0) === 35 /* # */) {
      const cp = ref.charCodeAt(1) === 120 /* x */ ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) throw new XmlSyntaxError(`bad character reference &${ref};`, offset + i);
      ch = String.fromCodePoint(cp);
    } else ch = PREDEFINED[ref];
    if (ch === undefined) throw new XmlSyntaxError(`undefined entity &${ref};`, offset + i);
    out += s.slice(last, i) + ch;
    last = end + 1;
  }
  return out + s.slice(last);
}

/** Text with XML's line-end normalisation (CR LF and lone CR become LF) and entities decoded. */
function textValue(raw: string, offset: number): string {
  let s = raw;
  if (s.indexOf('\r') >= 0) s = s.replace(/\r\n?/g, '\n');
  return s.indexOf('&') >= 0 ? decodeEntities(s, offset) : s;
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
/** Ends a name: whitespace, '>', '/', '='. */
const endsName = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 62 || c === 47 || c === 61;

/** Parses a document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let cur: XmlElement | undefined;
  let pos = 0;
  const n = xml.length;

  while (pos < n) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > pos) {
      if (cur) cur.text += textValue(xml.slice(pos, textEnd), pos);
      else {
        for (let i = pos; i < textEnd; i++) if (!isSpace(xml.charCodeAt(i))) throw new XmlSyntaxError('text outside the root element', i);
      }
    }
    if (lt < 0) break;
    pos = lt;
    const c1 = xml.charCodeAt(pos + 1);

    if (c1 === 47 /* / */) {
      const close = xml.indexOf('>', pos + 2);
      if (close < 0) throw new XmlSyntaxError('unterminated end tag', pos);
      let nameEnd = close;
      while (nameEnd > pos + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = xml.slice(pos + 2, nameEnd);
      if (!cur || cur.name !== name) throw new XmlSyntaxError(`end tag </${name}> does not match <${cur?.name ?? ''}>`, pos);
      stack.pop();
      cur = stack[stack.length - 1];
      pos = close + 1;
      continue;
    }
    if (c1 === 63 /* ? */) {
      const end = xml.indexOf('?>', pos + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated processing instruction', pos);
      pos = end + 2;
      continue;
    }
    if (c1 === 33 /* ! */) {
      if (xml.startsWith('<!--', pos)) {
        const end = xml.indexOf('-->', pos + 4);
        if (end < 0) throw new XmlSyntaxError('unterminated comment', pos);
        pos = end + 3;
        continue;
      }
      if (xml.startsWith('<![CDATA[', pos)) {
        const end = xml.indexOf(']]>', pos + 9);
        if (end < 0) throw new XmlSyntaxError('unterminated CDATA section', pos);
        if (!cur) throw new XmlSyntaxError('CDATA outside the root element', pos);
        cur.text += xml.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      throw new XmlSyntaxError('DOCTYPE and other declarations are not allowed', pos);
    }

    // Start tag.
    let i = pos + 1;
    while (i < n && !endsName(xml.charCodeAt(i))) i++;
    if (i === pos + 1) throw new XmlSyntaxError('missing element name', pos);
    const el: XmlElement = { name: xml.slice(pos + 1, i), attrs: null, children: NO_CHILDREN, text: '' };
    let selfClosing = false;
    for (;;) {
      while (i < n && isSpace(xml.charCodeAt(i))) i++;
      if (i >= n) throw new XmlSyntaxError(`unterminated start tag <${el.name}>`, pos);
      const c = xml.charCodeAt(i);
      if (c === 62 /* > */) {
        i++;
        break;
      }
      if (c === 47 /* / */) {
        if (xml.charCodeAt(i + 1) !== 62) throw new XmlSyntaxError(`malformed start tag <${el.name}>`, i);
        selfClosing = true;
        i += 2;
        break;
      }
      const nameStart = i;
      while (i < n && !endsName(xml.charCodeAt(i))) i++;
      const attr = xml.slice(nameStart, i);
      while (i < n && isSpace(xml.charCodeAt(i))) i++;
      if (!attr || xml.charCodeAt(i) !== 61 /* = */) throw new XmlSyntaxError(`attribute without value in <${el.name}>`, i);
      i++;
      while (i < n && isSpace(xml.charCodeAt(i))) i++;
      const q = xml.charCodeAt(i);
      if (q !== 34 && q !== 39) throw new XmlSyntaxError(`unquoted attribute value in <${el.name}>`, i);
      const vEnd = xml.indexOf(q === 34 ? '"' : "'", i + 1);
      if (vEnd < 0) throw new XmlSyntaxError(`unterminated attribute value in <${el.name}>`, i);
      const raw = xml.slice(i + 1, vEnd);
      if (raw.indexOf('<') >= 0) throw new XmlSyntaxError(`'<' in an attribute value of <${el.name}>`, i);
      (el.attrs ??= {})[attr] = raw.indexOf('&') >= 0 ? decodeEntities(raw, i + 1) : raw;
      i = vEnd + 1;
    }

    if (cur) {
      if (cur.children === NO_CHILDREN) cur.children = [el];
      else cur.children.push(el);
    }
    else if (root) throw new XmlSyntaxError('more than one root element', pos);
    else root = el;
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH} levels`, pos);
      stack.push(el);
      cur = el;
    }
    pos = i;
  }
  if (cur) throw new XmlSyntaxError(`unclosed element <${cur.name}>`, n);
  if (!root) throw new XmlSyntaxError('no root element', n);
  return root;
}
