// Typed view over the generated vim25 table (src/vi/generated/vim25.ts), expanded lazily.
import { vim25 } from '../generated/vim25.js';

export interface FieldDef {
  name: string;
  type: string;
  array: boolean;
  /** The wire carries xsi:type for this field (polymorphic or anyType). */
  poly: boolean;
}
export interface TypeDef {
  name: string;
  base: string | null;
  /** All fields, inherited first, in schema (wire) order. */
  fields: FieldDef[];
  byName: Map<string, FieldDef>;
}
export interface MethodDef {
  name: string;
  params: FieldDef[];
  returns: FieldDef | null;
}

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const SOAPENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const VIM25_NS = 'urn:vim25';
export const MOREF = 'ManagedObjectReference';

const typeCache = new Map<string, TypeDef | null>();
const methodCache = new Map<string, MethodDef | null>();
const enumSet = new Set(vim25.enums);

function parseFields(spec: string): FieldDef[] {
  if (!spec) return [];
  return spec.split(' ').map((f) => {
    const colon = f.indexOf(':');
    let type = f.slice(colon + 1);
    const poly = type.endsWith('*');
    if (poly) type = type.slice(0, -1);
    const array = type.endsWith('[]');
    if (array) type = type.slice(0, -2);
    return { name: f.slice(0, colon), type, array, poly: poly || type === 'xsd:anyType' };
  });
}

export function typeDef(name: string): TypeDef | undefined {
  let t = typeCache.get(name);
  if (t === undefined) {
    const raw = vim25.types[name];
    if (!raw) {
      typeCache.set(name, null);
      return undefined;
    }
    const base = raw[0] ? typeDef(raw[0]) : undefined;
    const fields = [...(base?.fields ?? []), ...parseFields(raw[1])];
    t = { name, base: raw[0] || null, fields, byName: new Map(fields.map((f) => [f.name, f])) };
    typeCache.set(name, t);
  }
  return t ?? undefined;
}

export function methodDef(name: string): MethodDef | undefined {
  let m = methodCache.get(name);
  if (m === undefined) {
    const raw = vim25.methods[name];
    m = raw ? { name, params: parseFields(raw[0]), returns: raw[1] ? parseFields(raw[1])[0]! : null } : null;
    methodCache.set(name, m);
  }
  return m ?? undefined;
}

export const isPrimitive = (type: string): boolean => type.startsWith('xsd:');
export const isEnum = (type: string): boolean => enumSet.has(type);

/** True when `type` is `base` or derives from it (faults: InvalidPowerState is an InvalidState). */
export function isSubtype(type: string, base: string): boolean {
  for (let t: string | null | undefined = type; t; t = typeDef(t)?.base) if (t === base) return true;
  return false;
}

/** ArrayOfFoo -> its item field, else undefined. */
export function arrayItem(type: string): FieldDef | undefined {
  if (!type.startsWith('ArrayOf')) return undefined;
  const t = typeDef(type);
  return t && t.fields.length === 1 && t.fields[0]!.array ? t.fields[0] : undefined;
}
