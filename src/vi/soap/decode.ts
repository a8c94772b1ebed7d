// Parses SOAP responses into plain values, driven by the vim25 schema:
// - namespaces are resolved by URI, never by prefix (the govmomi simulator writes
//   `XMLSchema-instance:type` where ESX writes `xsi:type`);
// - array-valued fields are always arrays, even with one element;
// - xsi:type picks the concrete type (kept as `_type` on data objects); array items without
//   xsi:type (a simulator quirk) are typed by their element name;
// - ManagedObjectReference becomes {type, value}; ints, longs, booleans become numbers/booleans;
//   dateTime stays an ISO string; unknown types and fields (newer API versions) decode loosely.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ViFault, ViTransportError } from '../errors.js';
import {
  MOREF,
  SOAPENV_NS,
  VIM25_NS,
  XSD_NS,
  XSI_NS,
  type FieldDef,
  arrayItem,
  isEnum,
  isPrimitive,
  methodDef,
  typeDef,
} from './schema.js';

/** preserveOrder node: { tag: children, ':@'?: attributes } or { '#text': string }. */
type Node = Record<string, unknown>;
type Scope = Record<string, string>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
});

const ATTRS = ':@';
const TEXT = '#text';

function tagOf(n: Node): string | undefined {
  for (const k in n) if (k !== ATTRS) return k === TEXT ? undefined : k;
  return undefined;
}
const childrenOf = (n: Node, tag: string): Node[] => (n[tag] as Node[]) ?? [];
const attrsOf = (n: Node): Record<string, string> => (n[ATTRS] as Record<string, string>) ?? {};

function textOf(children: Node[]): string {
  let s = '';
  for (const c of children) if (TEXT in c) s += String(c[TEXT]);
  return s;
}

function elementsOf(children: Node[]): Node[] {
  return children.filter((c) => !(TEXT in c));
}

function scopeFor(attrs: Record<string, string>, parent: Scope): Scope {
  let scope = parent;
  for (const k in attrs) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parent) scope = { ...parent };
      scope[k === 'xmlns' ? '' : k.slice(6)] = attrs[k]!;
    }
  }
  return scope;
}

const localName = (q: string): string => q.slice(q.indexOf(':') + 1);
const prefixOf = (q: string): string => (q.includes(':') ? q.slice(0, q.indexOf(':')) : '');

function nsOf(qname: string, scope: Scope): string | undefined {
  const p = prefixOf(qname);
  const ns = scope[p];
  if (ns !== undefined) return ns;
  // Undeclared but conventional prefixes (hand-written fixtures).
  if (p === 'xsd' || p === 'xs') return XSD_NS;
  if (p === 'xsi') return XSI_NS;
  return p === '' ? undefined : p;
}

/** The xsi:type of an element, as 'xsd:int' for XML Schema types or a bare vim25 type name. */
function xsiTypeOf(attrs: Record<string, string>, scope: Scope): string | undefined {
  for (const k in attrs) {
    if (localName(k) !== 'type' || !k.includes(':')) continue;
    if (nsOf(k, scope) !== XSI_NS) continue;
    const v = attrs[k]!;
    return nsOf(v, scope) === XSD_NS ? `xsd:${localName(v)}` : localName(v);
  }
  return undefined;
}

function primitive(type: string, text: string): unknown {
  switch (type) {
    case 'xsd:boolean':
      return text.trim() === 'true' || text.trim() === '1';
    case 'xsd:int':
    case 'xsd:long':
    case 'xsd:short':
    case 'xsd:byte':
    case 'xsd:float':
    case 'xsd:double':
      return Number(text);
    default:
      return text;
  }
}

/** Decodes an element whose schema is unknown: text, or an object of its children. */
function decodeLoose(children: Node[], scope: Scope): unknown {
  const els = elementsOf(children);
  if (els.length === 0) return textOf(children);
  const out: Record<string, unknown> = {};
  for (const el of els) {
    const tag = tagOf(el)!;
    const name = localName(tag);
    const v = decodeElement(el, tag, { name, type: 'xsd:anyType', array: false, poly: true }, scope);
    if (name in out) {
      const prev = out[name];
      out[name] = Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else out[name] = v;
  }
  return out;
}

function decodeElement(node: Node, tag: string, field: FieldDef, parentScope: Scope): unknown {
  const attrs = attrsOf(node);
  const scope = scopeFor(attrs, parentScope);
  const children = childrenOf(node, tag);
  const xsi = xsiTypeOf(attrs, scope);
  const type = xsi ?? field.type;
  if (type === MOREF || (type === 'xsd:anyType' && attrs.type !== undefined && elementsOf(children).length === 0)) {
    return { type: attrs.type ?? '', value: textOf(children) };
  }
  if (isPrimitive(type)) {
    if (type === 'xsd:anyType') return decodeLoose(children, scope);
    return primitive(type, textOf(children));
  }
  if (isEnum(type)) return textOf(children);
  const item = arrayItem(type);
  if (item) {
    return elementsOf(children).map((el) => {
      const t = tagOf(el)!;
      // Items without xsi:type are typed by their element name when it names a type.
      const byName = typeDef(localName(t)) ? localName(t) : item.type;
      return decodeElement(el, t, { ...item, type: byName === item.type ? item.type : byName }, scope);
    });
  }
  const def = typeDef(type);
  if (!def) return decodeLoose(children, scope);
  const out: Record<string, unknown> = {};
  if (xsi || field.poly || type !== field.type) out._type = type;
  for (const el of elementsOf(children)) {
    const t = tagOf(el)!;
    const name = localName(t);
    const f = def.byName.get(name);
    if (!f) {
      out[name] = decodeLoose(childrenOf(el, t), scopeFor(attrsOf(el), scope));
      continue;
    }
    const v = decodeElement(el, t, f, scope);
    if (f.array) ((out[name] ??= []) as unknown[]).push(v);
    else out[name] = v;
  }
  return out;
}

// fast-xml-parser accepts a truncated document; a complete envelope ends with its end tag.
const COMPLETE = /<\/(?:[\w.-]+:)?Envelope>\s*$/;

function parseXml(text: string): Node[] {
  if (!COMPLETE.test(text.slice(-64))) {
    throw new ViTransportError('protocol', 'ESX sent an incomplete or non-SOAP response');
  }
  try {
    return parser.parse(text) as Node[];
  } catch (e) {
    throw new ViTransportError('protocol', `ESX sent malformed XML: ${(e as Error).message}`, { cause: e });
  }
}

function findBody(doc: Node[]): { node: Node; tag: string; scope: Scope } {
  for (const top of doc) {
    const tag = tagOf(top);
    if (!tag) continue;
    const scope = scopeFor(attrsOf(top), {});
    if (localName(tag) !== 'Envelope' || nsOf(tag, scope) !== SOAPENV_NS) break;
    for (const c of elementsOf(childrenOf(top, tag))) {
      const ct = tagOf(c)!;
      const cs = scopeFor(attrsOf(c), scope);
      if (localName(ct) === 'Body' && nsOf(ct, cs) === SOAPENV_NS) {
        const first = elementsOf(childrenOf(c, ct))[0];
        if (!first) throw new ViTransportError('protocol', 'ESX sent an empty SOAP Body');
        return { node: first, tag: tagOf(first)!, scope: cs };
      }
    }
  }
  throw new ViTransportError('protocol', 'ESX sent a response that is not a SOAP envelope');
}

function decodeFault(node: Node, tag: string, scope: Scope, method?: string): ViFault {
  const s = scopeFor(attrsOf(node), scope);
  let faultString = '';
  let fault = 'SystemError';
  let detail: Record<string, unknown> = {};
  for (const el of elementsOf(childrenOf(node, tag))) {
    const t = tagOf(el)!;
    const name = localName(t);
    if (name === 'faultstring') faultString = textOf(childrenOf(el, t));
    if (name === 'detail') {
      const d = elementsOf(childrenOf(el, t))[0];
      if (!d) continue;
      const dt = tagOf(d)!;
      const ds = scopeFor(attrsOf(el), s);
      const xsi = xsiTypeOf(attrsOf(d), scopeFor(attrsOf(d), ds));
      fault = xsi ?? localName(dt).replace(/Fault$/, '');
      const v = decodeElement(d, dt, { name: dt, type: fault, array: false, poly: false }, ds);
      if (v && typeof v === 'object') detail = v as Record<string, unknown>;
      delete detail._type;
    }
  }
  return new ViFault(fault, faultString, detail, method);
}

/**
 * Decodes the response to `method`: its `returnval` (an array when the method returns one,
 * undefined for void methods), or throws ViFault for a SOAP fault.
 */
export function decodeResponse(method: string, text: string): unknown {
  const doc = parseXml(text);
  const { node, tag, scope } = findBody(doc);
  if (localName(tag) === 'Fault') throw decodeFault(node, tag, scope, method);
  const def = methodDef(method);
  const ret = def?.returns;
  const s = scopeFor(attrsOf(node), scope);
  if (nsOf(tag, s) !== VIM25_NS && nsOf(tag, s) !== undefined) {
    throw new ViTransportError('protocol', `unexpected response element ${tag}`);
  }
  const vals = elementsOf(childrenOf(node, tag)).filter((el) => localName(tagOf(el)!) === 'returnval');
  const f: FieldDef = ret ?? { name: 'returnval', type: 'xsd:anyType', array: false, poly: true };
  const decoded = vals.map((el) => decodeElement(el, tagOf(el)!, f, s));
  return f.array ? decoded : decoded[0];
}

/** Validates well-formedness, with line/column, for diagnostics of broken upstreams. */
export function xmlProblem(text: string): string | null {
  const r = XMLValidator.validate(text);
  return r === true ? null : `${r.err.msg} (line ${r.err.line}, column ${r.err.col})`;
}

/** Decodes one value of a known type from an element tree; exported for the update loop. */
export function decodeTyped(node: Node, tag: string, type: string, scope: Scope = {}): unknown {
  return decodeElement(node, tag, { name: tag, type, array: false, poly: false }, scope);
}

/** Decodes a request envelope into its method and named parameters (tests, recorders). */
export function decodeRequest(text: string): { method: string; params: Record<string, unknown> } {
  const { node, tag, scope } = findBody(parseXml(text));
  const method = localName(tag);
  const def = methodDef(method);
  if (!def) throw new ViTransportError('protocol', `unknown vim25 method ${method}`);
  const s = scopeFor(attrsOf(node), scope);
  const byName = new Map(def.params.map((p) => [p.name, p]));
  const params: Record<string, unknown> = {};
  for (const el of elementsOf(childrenOf(node, tag))) {
    const t = tagOf(el)!;
    const f = byName.get(localName(t));
    if (!f) continue;
    const v = decodeElement(el, t, f, s);
    if (f.array) ((params[f.name] ??= []) as unknown[]).push(v);
    else params[f.name] = v;
  }
  return { method, params };
}
