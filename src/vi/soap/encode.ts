// Builds SOAP request envelopes from the generated vim25 schema: parameters and data-object fields
// are written in schema order (ESX's deserializer expects xsd:sequence order), polymorphic fields get
// xsi:type, and every string is escaped. This is the only place that writes request XML.
import { ViEncodeError } from '../errors.js';
import { MOREF, type FieldDef, isPrimitive, methodDef, typeDef } from './schema.js';
import { escapeXml } from './xml.js';

export interface MoRef {
  type: string;
  value: string;
}

/** A value with an explicit xsi:type, for xsd:anyType fields (e.g. OptionValue.value). */
export interface TypedValue {
  $type: string;
  $value: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function primitiveText(type: string, v: unknown, path: string): string {
  switch (type) {
    case 'xsd:boolean':
      if (typeof v !== 'boolean') throw new ViEncodeError(`${path}: expected a boolean`);
      return v ? 'true' : 'false';
    case 'xsd:int':
    case 'xsd:long':
    case 'xsd:short':
    case 'xsd:byte':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ViEncodeError(`${path}: expected an integer`);
      return String(v);
    case 'xsd:float':
    case 'xsd:double':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ViEncodeError(`${path}: expected a number`);
      return String(v);
    case 'xsd:dateTime':
      if (v instanceof Date) return v.toISOString();
      if (typeof v !== 'string') throw new ViEncodeError(`${path}: expected a dateTime`);
      return escapeXml(v);
    default:
      if (typeof v !== 'string') throw new ViEncodeError(`${path}: expected a string`);
      return escapeXml(v);
  }
}

/** xsi:type for a value in an xsd:anyType slot. */
function anyTypeOf(v: unknown, path: string): [string, unknown] {
  if (isRecord(v) && typeof v.$type === 'string') return [v.$type, v.$value];
  if (typeof v === 'string') return ['xsd:string', v];
  if (typeof v === 'boolean') return ['xsd:boolean', v];
  if (typeof v === 'number') return [Number.isInteger(v) ? 'xsd:long' : 'xsd:double', v];
  if (isRecord(v) && typeof v._type === 'string') return [v._type, v];
  throw new ViEncodeError(`${path}: a value of type anyType needs {$type, $value} or a _type`);
}

function encodeOne(out: string[], name: string, v: unknown, field: FieldDef, path: string): void {
  if (v === undefined || v === null) return;
  let type = field.type;
  let value: unknown = v;
  let xsiType: string | null = null;
  if (type === 'xsd:anyType') {
    [type, value] = anyTypeOf(v, path);
    xsiType = type;
  } else if (isRecord(v) && typeof v._type === 'string' && v._type !== type) {
    type = v._type;
    xsiType = type;
  } else if (field.poly) {
    xsiType = type;
  }
  const xsi = xsiType ? ` xsi:type="${escapeXml(xsiType)}"` : '';
  if (type === MOREF) {
    if (!isRecord(value) || typeof value.type !== 'string' || typeof value.value !== 'string') {
      throw new ViEncodeError(`${path}: expected a ManagedObjectReference {type, value}`);
    }
    out.push(`<${name} type="${escapeXml(value.type)}"${xsi}>${escapeXml(value.value)}</${name}>`);
    return;
  }
  if (isPrimitive(type) || !typeDef(type)) {
    // Enums are strings on the wire; so are primitives.
    out.push(`<${name}${xsi}>${primitiveText(isPrimitive(type) ? type : 'xsd:string', value, path)}</${name}>`);
    return;
  }
  if (!isRecord(value)) throw new ViEncodeError(`${path}: expected an object of type ${type}`);
  const def = typeDef(type)!;
  out.push(`<${name}${xsi}>`);
  encodeFields(out, value, def.fields, def.byName, path, type);
  out.push(`</${name}>`);
}

function encodeFields(
  out: string[],
  obj: Record<string, unknown>,
  fields: FieldDef[],
  byName: Map<string, FieldDef>,
  path: string,
  typeName: string,
): void {
  for (const k of Object.keys(obj)) {
    if (k !== '_type' && !byName.has(k) && obj[k] !== undefined) throw new ViEncodeError(`${path}: ${typeName} has no field "${k}"`);
  }
  for (const f of fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.array) {
      if (!Array.isArray(v)) throw new ViEncodeError(`${path}.${f.name}: expected an array`);
      v.forEach((item, i) => encodeOne(out, f.name, item, f, `${path}.${f.name}[${i}]`));
    } else {
      encodeOne(out, f.name, v, f, `${path}.${f.name}`);
    }
  }
}

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
  ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<soapenv:Body>';
const TAIL = '</soapenv:Body></soapenv:Envelope>';

/** The request envelope of a vim25 method; `params` holds `_this` and the named arguments. */
export function encodeRequest(method: string, params: Record<string, unknown>): string {
  const def = methodDef(method);
  if (!def) throw new ViEncodeError(`unknown vim25 method ${method}`);
  const out: string[] = [HEAD, `<${method} xmlns="urn:vim25">`];
  const byName = new Map(def.params.map((p) => [p.name, p]));
  encodeFields(out, params, def.params, byName, method, method);
  out.push(`</${method}>`, TAIL);
  return out.join('');
}
