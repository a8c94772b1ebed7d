// SOAP response XML -> a compact element tree for the schema-driven decoder, parsed with
// fast-xml-parser (preserveOrder, so sibling order survives and one-element lists stay lists).
// The tree keeps what SOAP needs: qualified names, attributes, child elements in order, and an
// element's text (its direct text and CDATA, entities decoded).
// fast-xml-parser is lenient, so the checks that matter for an upstream are made here: a DOCTYPE is
// refused (SOAP forbids it; it is how entity-expansion attacks start), the document must have exactly
// one root element that is closed at the end (a truncated response is caught), and nesting is bounded.
import { XMLParser } from 'fast-xml-parser';

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
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** vim25 data nests a few dozen levels; the decoder is recursive, so deeper input is refused. */
const MAX_DEPTH = 512;
const ATTRS = ':@';
const TEXT = '#text';
const NO_CHILDREN = Object.freeze([]) as unknown as XmlElement[];

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // Character references (&#10;) and the XML entities; ESX escapes newlines in annotations this way.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

type FxpNode = Record<string, unknown>;

function convert(node: FxpNode, name: string, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH} levels`);
  const attrs = (node[ATTRS] as Record<string, string> | undefined) ?? null;
  let text = '';
  let children = NO_CHILDREN;
  for (const c of node[name] as FxpNode[]) {
    if (TEXT in c) {
      text += String(c[TEXT]);
      continue;
    }
    let tag: string | undefined;
    for (const k in c) if (k !== ATTRS) tag = k;
    if (tag === undefined) continue;
    const el = convert(c, tag, depth + 1);
    if (children === NO_CHILDREN) children = [el];
    else children.push(el);
  }
  return { name, attrs, children, text };
}

const END_TAG = /<\/([\w.:-]+)\s*>\s*$/;

export function parseXml(xml: string): XmlElement {
  const firstElement = xml.search(/<[A-Za-z_]/);
  if (firstElement < 0) throw new XmlSyntaxError('no root element');
  if (xml.slice(0, firstElement).includes('<!DOCTYPE')) throw new XmlSyntaxError('a DOCTYPE is not allowed in SOAP');
  let doc: FxpNode[];
  try {
    doc = parser.parse(xml) as FxpNode[];
  } catch (e) {
    throw new XmlSyntaxError((e as Error).message);
  }
  const roots = doc.filter((n) => !(TEXT in n));
  if (roots.length !== 1) throw new XmlSyntaxError(roots.length ? 'more than one root element' : 'no root element');
  const root = roots[0]!;
  let name = '';
  for (const k in root) if (k !== ATTRS) name = k;
  // fast-xml-parser closes whatever is open at the end of input: a complete document ends with
  // the root's own end tag (or is a single self-closed root).
  const end = END_TAG.exec(xml.slice(-256));
  if (end ? end[1] !== name : !/\/>\s*$/.test(xml) || (root[name] as FxpNode[]).length > 0) {
    throw new XmlSyntaxError(`unclosed element <${name}>: the document is incomplete`);
  }
  return convert(root, name, 1);
}
