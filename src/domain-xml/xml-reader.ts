// XML text -> a small element tree with XPath-like paths. fast-xml-parser's validator gives
// well-formedness errors with line and column; the few things it lets through are checked here:
// DOCTYPE (refused: no entity expansion, ever), unknown entities, and more than one root element.
// Entities are decoded here (the five predefined ones and character references).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConversionError } from '../domain/errors.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text and CDATA content directly inside the element, entities decoded. */
  text: string;
  /** '/domain/devices/disk[2]': the index is given when the name repeats among siblings. */
  path: string;
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

function malformed(text: string, index: number, message: string): ConversionError {
  const { line, column } = position(text, index);
  return new ConversionError('xml-malformed', `XML error at line ${line}, column ${column}: ${message}`, { line, column });
}

const ENTITY = /&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);?/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function decodeEntities(value: string, source: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (match: string, body: string) => {
    if (!match.endsWith(';')) throw malformed(source, Math.max(0, source.indexOf(match)), `entity '${match}' is not terminated`);
    if (body.startsWith('#')) {
      const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
      if (!valid) throw malformed(source, Math.max(0, source.indexOf(match)), `character reference '${match}' is not a valid XML character`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[body];
    if (named === undefined) throw malformed(source, Math.max(0, source.indexOf(match)), `entity '${match}' is not defined`);
    return named;
  });
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

const nodeName = (node: Ordered) => Object.keys(node).find((k) => k !== ':@')!;

function build(node: Ordered, path: string, source: string): XmlElement {
  const name = nodeName(node);
  const attrs: Record<string, string> = {};
  // Literal whitespace in attribute values is normalised to spaces (XML 1.0 section 3.3.3).
  for (const [k, v] of Object.entries(node[':@'] ?? {})) attrs[k] = decodeEntities(String(v).replace(/[\t\n\r]/g, ' '), source);
  const children: XmlElement[] = [];
  let text = '';
  const content = node[name] as Ordered[];
  const counts = new Map<string, number>();
  for (const child of content) {
    const n = nodeName(child);
    if (n !== '#text' && n !== '#cdata' && n !== '#comment') counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  for (const child of content) {
    const n = nodeName(child);
    if (n === '#text') text += decodeEntities(String(child[n]), source);
    else if (n === '#cdata') text += (child[n] as Ordered[]).map((t) => String(t['#text'] ?? '')).join('');
    else if (n !== '#comment') {
      const i = (seen.get(n) ?? 0) + 1;
      seen.set(n, i);
      children.push(build(child, `${path}/${n}${counts.get(n)! > 1 ? `[${i}]` : ''}`, source));
    }
  }
  return { name, attrs, children, text, path };
}

/** Parses XML text into its root element; throws ConversionError('xml-malformed') with line and column. */
export function readXml(text: string): XmlElement {
  const doctype = text.search(/<!DOCTYPE/i);
  if (doctype >= 0) throw malformed(text, doctype, 'DOCTYPE is not allowed');
  const result = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (result !== true) {
    const { line = 1, col = 1, msg } = result.err;
    throw new ConversionError('xml-malformed', `XML error at line ${line}, column ${col}: ${msg}`, { line, column: col });
  }
  const nodes = parser.parse(text) as Ordered[];
  const roots = nodes.filter((n) => {
    const name = nodeName(n);
    if (name === '#text') {
      if (String(n[name]).trim() !== '') throw malformed(text, text.indexOf(String(n[name]).trim()), 'text outside the root element');
      return false;
    }
    return name !== '#comment';
  });
  if (roots.length === 0) throw new ConversionError('xml-malformed', 'XML error: no root element', { line: 1, column: 1 });
  if (roots.length > 1) {
    const second = nodeName(roots[1]!);
    throw malformed(text, text.indexOf(`<${second}`, text.indexOf(`<${nodeName(roots[0]!)}`) + 1), 'more than one root element');
  }
  const root = roots[0]!;
  return build(root, `/${nodeName(root)}`, text);
}
