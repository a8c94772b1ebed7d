// A tiny XML builder with libvirt's layout: two-space indentation, single-quoted attributes in
// the order given, empty elements self-closed, text elements on one line.

export type AttrValue = string | number | undefined;

export interface XmlNode {
  name: string;
  attrs: Record<string, AttrValue>;
  children: XmlNode[];
  text?: string | undefined;
}

/** An element; undefined/false children and undefined attributes are left out. */
export function el(name: string, attrs: Record<string, AttrValue> = {}, children: (XmlNode | undefined | false)[] = []): XmlNode {
  return { name, attrs, children: children.filter((c): c is XmlNode => c !== undefined && c !== false) };
}

/** An element holding text. */
export const textEl = (name: string, text: string, attrs: Record<string, AttrValue> = {}): XmlNode => ({
  name,
  attrs,
  children: [],
  text,
});

/** '<x/>' flag element (readonly, transient...) when `on`. */
export const flagEl = (name: string, on: boolean | undefined): XmlNode | undefined => (on ? el(name) : undefined);

// Characters XML 1.0 cannot carry at all (even as references) are dropped, as libvirt does.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function escape(value: string, attribute: boolean): string {
  let out = value
    .replace(INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
  // Attribute value normalisation would turn raw tabs and newlines into spaces.
  if (attribute) out = out.replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
  return out;
}

function serialize(node: XmlNode, indent: string, out: string[]): void {
  let open = `${indent}<${node.name}`;
  for (const [key, value] of Object.entries(node.attrs)) {
    if (value !== undefined) open += ` ${key}='${escape(String(value), true)}'`;
  }
  if (node.text !== undefined) {
    out.push(`${open}>${escape(node.text, false)}</${node.name}>`);
  } else if (node.children.length === 0) {
    out.push(`${open}/>`);
  } else {
    out.push(`${open}>`);
    for (const child of node.children) serialize(child, indent + '  ', out);
    out.push(`${indent}</${node.name}>`);
  }
}

/** The document text, ending with a newline (no XML declaration, as libvirt). */
export function serializeXml(root: XmlNode): string {
  const out: string[] = [];
  serialize(root, '', out);
  return out.join('\n') + '\n';
}
