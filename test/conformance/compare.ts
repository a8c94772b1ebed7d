// Comparison helpers for the libvirt conformance runner. XML is compared as a tree read by
// fast-xml-parser (independent of esxgate's own reader): element order, attributes (as a set) and
// text, whitespace-only text between elements ignored. VMX is compared as key/value entries.
import { XMLParser } from 'fast-xml-parser';

export interface XmlTree {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlTree[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toTree(node: Ordered): XmlTree {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const attrs = Object.fromEntries(Object.entries(node[':@'] ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  let text = '';
  const children: XmlTree[] = [];
  for (const child of node[name] as Ordered[]) {
    if ('#text' in child) text += String(child['#text']);
    else children.push(toTree(child));
  }
  return { name, attrs, text: children.length > 0 && text.trim() === '' ? '' : text, children };
}

export function xmlTree(text: string): XmlTree {
  const roots = (parser.parse(text) as Ordered[]).filter((n) => !('#text' in n));
  if (roots.length !== 1) throw new Error(`expected one root element, found ${roots.length}`);
  return toTree(roots[0]!);
}

/** VMX text as key -> value (first occurrence), ignoring blank lines, comments and spacing. */
export function vmxEntries(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#=\s]+)\s*=\s*"(.*)"\s*$/.exec(line);
    if (m && !(m[1]! in entries)) entries[m[1]!] = m[2]!;
  }
  return entries;
}

export const normalizeNewlines = (text: string) => text.replace(/\r\n/g, '\n');
