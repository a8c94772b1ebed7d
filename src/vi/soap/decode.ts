// Parses SOAP responses into plain values, driven by the vim25 schema:
// - namespaces are resolved by URI, never by prefix (the govmomi simulator writes
//   `XMLSchema-instance:type` where ESX writes `xsi:type`);
// - array-valued fields are always arrays, even with one element;
// - xsi:type picks the concrete type (kept as `_type` on data objects); array items without
//   xsi:type (a simulator quirk) are typed by their element name;
// - ManagedObjectReference becomes {type, value}; ints, longs, booleans become numbers/booleans;
//   dateTime stays an ISO string; unknown types and fields (newer API versions) decode loosely.
import { XMLValidator } from 'fast-xml-parser';
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
import { type XmlElement, XmlSyntaxError, parseXml as parseTree } from './xml-parse.js';

// The tree comes from the project's own parser (xml-parse.ts): fast-xml-parser's preserveOrder
// mode was the dominant cost of large property results (bench/PROFILE.md).
type Node = XmlElement;
type Scope = Record<string, string>;

const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const attrsOf = (n: Node): Record<string, string> => n.attrs ?? NO_ATTRS;

// Child scopes are memoised per (parent scope, prefix, URI): the simulator redeclares
// xmlns:XMLSchema-instance on every property value, which would otherwise copy the scope for each.
const childScopes = new WeakMap<Scope, Map<string, Map<string, Scope>>>();
function withBinding(parent: Scope, prefix: string, uri: string): Scope {
  if (parent[prefix] === uri) return parent;
  let byPrefix = childScopes.get(parent);
  if (!byPrefix) childScopes.set(parent, (byPrefix = new Map()));
  let byUri = byPrefix.get(prefix);
  if (!byUri) byPrefix.set(prefix, (byUri = new Map()));
  let s = byUri.get(uri);
  if (!s) byUri.set(uri, (s = { ...parent, [prefix]: uri }));
  return s;
}

function scopeFor(attrs: Record<string, string>, parent: Scope): Scope {
  if (attrs === NO_ATTRS) return parent;
  let scope = parent;
  for (const k in attrs) {
    if (k.charCodeAt(0) === 120 /* x */ && (k === 'xmlns' || k.startsWith('xmlns:'))) {
      scope = withBinding(scope, k === 'xmlns' ? '' : k.slice(6), attrs[k]!);
    }
  }
  return scope;
}

const localName = (q: string): string => {
  const i = q.indexOf(':');
  return i < 0 ? q : q.slice(i + 1);
};
const prefixOf = (q: string): string => {
  const i = q.indexOf(':');
  return i < 0 ? '' : q.slice(0, i);
};

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
  if (attrs === NO_ATTRS) return undefined;
  for (const k in attrs) {
    // Only a prefixed "...:type" attribute can be xsi:type; the plain "type" of a MoRef is not.
    if (!k.endsWith(':type')) continue;
    if (nsOf(k, scope) !== XSI_NS) continue;
    const v = attrs[k]!;
    return nsOf(v, scope) === XSD_NS ? `xsd:${localName(v)}` : localName(v);
  }
  return undefined;
}

function primitive(type: string, text: string): unknown {
  switch (type) {
    case 'xsd:boolean': {
      const t = text.trim();
      return t === 'true' || t === '1';
    }
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

/** The field of an element whose schema is unknown (the `name` is not used while decoding). */
const ANY: FieldDef = { name: '', type: 'xsd:anyType', array: false, poly: true };

/** Decodes an element whose schema is unknown: text, or an object of its children. */
function decodeLoose(node: Node, scope: Scope): unknown {
  if (node.children.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const el of node.children) {
    const name = localName(el.name);
    const v = decodeElement(el, ANY, scope);
    if (name in out) {
      const prev = out[name];
      out[name] = Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else out[name] = v;
  }
  return out;
}

// Array items typed by element name get a FieldDef per (item field, type); cached, not allocated
// per item (arrays of thousands of items are common in property results).
const itemFields = new WeakMap<FieldDef, Map<string, FieldDef>>();
function itemField(item: FieldDef, type: string): FieldDef {
  if (type === item.type) return item;
  let m = itemFields.get(item);
  if (!m) itemFields.set(item, (m = new Map()));
  let f = m.get(type);
  if (!f) m.set(type, (f = { ...item, type }));
  return f;
}

function decodeElement(node: Node, field: FieldDef, parentScope: Scope): unknown {
  const attrs = attrsOf(node);
  const scope = scopeFor(attrs, parentScope);
  const xsi = xsiTypeOf(attrs, scope);
  const type = xsi ?? field.type;
  if (type === MOREF || (type === 'xsd:anyType' && attrs.type !== undefined && node.children.length === 0)) {
    return { type: attrs.type ?? '', value: node.text };
  }
  if (isPrimitive(type)) {
    if (type === 'xsd:anyType') return decodeLoose(node, scope);
    return primitive(type, node.text);
  }
  if (isEnum(type)) return node.text;
  const item = arrayItem(type);
  if (item) {
    const out = new Array<unknown>(node.children.length);
    for (let i = 0; i < out.length; i++) {
      const el = node.children[i]!;
      // Items without xsi:type are typed by their element name when it names a type.
      const byName = localName(el.name);
      out[i] = decodeElement(el, itemField(item, typeDef(byName) ? byName : item.type), scope);
    }
    return out;
  }
  const def = typeDef(type);
  if (!def) return decodeLoose(node, scope);
  const out: Record<string, unknown> = {};
  if (xsi || field.poly || type !== field.type) out._type = type;
  for (const el of node.children) {
    const name = localName(el.name);
    const f = def.byName.get(name);
    if (!f) {
      out[name] = decodeLoose(el, scopeFor(attrsOf(el), scope));
      continue;
    }
    const v = decodeElement(el, f, scope);
    if (f.array) ((out[name] ??= []) as unknown[]).push(v);
    else out[name] = v;
  }
  return out;
}

// A truncated document must not pass for a complete one: a complete envelope ends with its end tag.
const COMPLETE = /<\/(?:[\w.-]+:)?Envelope>\s*$/;

function parseXml(text: string): Node {
  if (!COMPLETE.test(text.slice(-64))) {
    throw new ViTransportError('protocol', 'ESX sent an incomplete or non-SOAP response');
  }
  try {
    return parseTree(text);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    throw new ViTransportError('protocol', `ESX sent malformed XML: ${e.message}`, { cause: e });
  }
}

function findBody(root: Node): { node: Node; scope: Scope } {
  const scope = scopeFor(attrsOf(root), {});
  if (localName(root.name) === 'Envelope' && nsOf(root.name, scope) === SOAPENV_NS) {
    for (const c of root.children) {
      const cs = scopeFor(attrsOf(c), scope);
      if (localName(c.name) === 'Body' && nsOf(c.name, cs) === SOAPENV_NS) {
        const first = c.children[0];
        if (!first) throw new ViTransportError('protocol', 'ESX sent an empty SOAP Body');
        return { node: first, scope: cs };
      }
    }
  }
  throw new ViTransportError('protocol', 'ESX sent a response that is not a SOAP envelope');
}

function decodeFault(node: Node, scope: Scope, method?: string): ViFault {
  const s = scopeFor(attrsOf(node), scope);
  let faultString = '';
  let fault = 'SystemError';
  let detail: Record<string, unknown> = {};
  for (const el of node.children) {
    const name = localName(el.name);
    if (name === 'faultstring') faultString = el.text;
    if (name === 'detail') {
      const d = el.children[0];
      if (!d) continue;
      const ds = scopeFor(attrsOf(el), s);
      const xsi = xsiTypeOf(attrsOf(d), scopeFor(attrsOf(d), ds));
      fault = xsi ?? localName(d.name).replace(/Fault$/, '');
      const v = decodeElement(d, { name: d.name, type: fault, array: false, poly: false }, ds);
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
  const { node, scope } = findBody(parseXml(text));
  if (localName(node.name) === 'Fault') throw decodeFault(node, scope, method);
  const def = methodDef(method);
  const ret = def?.returns;
  const s = scopeFor(attrsOf(node), scope);
  const ns = nsOf(node.name, s);
  if (ns !== VIM25_NS && ns !== undefined) {
    throw new ViTransportError('protocol', `unexpected response element ${node.name}`);
  }
  const f: FieldDef = ret ?? { name: 'returnval', type: 'xsd:anyType', array: false, poly: true };
  const decoded: unknown[] = [];
  for (const el of node.children) if (localName(el.name) === 'returnval') decoded.push(decodeElement(el, f, s));
  return f.array ? decoded : decoded[0];
}

/** Validates well-formedness, with line/column, for diagnostics of broken upstreams. */
export function xmlProblem(text: string): string | null {
  const r = XMLValidator.validate(text);
  return r === true ? null : `${r.err.msg} (line ${r.err.line}, column ${r.err.col})`;
}

/** Decodes one value of a known type from an element tree (xml-parse.ts); `tag` names the field. */
export function decodeTyped(node: XmlElement, tag: string, type: string, scope: Scope = {}): unknown {
  return decodeElement(node, { name: tag, type, array: false, poly: false }, scope);
}

/** Decodes a request envelope into its method and named parameters (tests, recorders). */
export function decodeRequest(text: string): { method: string; params: Record<string, unknown> } {
  const { node, scope } = findBody(parseXml(text));
  const method = localName(node.name);
  const def = methodDef(method);
  if (!def) throw new ViTransportError('protocol', `unknown vim25 method ${method}`);
  const s = scopeFor(attrsOf(node), scope);
  const byName = new Map(def.params.map((p) => [p.name, p]));
  const params: Record<string, unknown> = {};
  for (const el of node.children) {
    const f = byName.get(localName(el.name));
    if (!f) continue;
    const v = decodeElement(el, f, s);
    if (f.array) ((params[f.name] ??= []) as unknown[]).push(v);
    else params[f.name] = v;
  }
  return { method, params };
}
