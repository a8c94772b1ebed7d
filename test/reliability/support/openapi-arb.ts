// fast-check arbitraries generated from the gateway's OpenAPI document: for every operation, a
// request (method, URL with path and query parameters, headers, body) that is mostly valid-ish by
// the schema and sometimes deliberately wrong. Routes added by others are covered automatically.
import fc from 'fast-check';

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Doc {
  paths: Record<string, Record<string, Schema>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Characters that break naive XML, URL, path and shell handling, plus non-ASCII and controls. */
export const NASTY = ['<', '>', '&', '"', "'", '%', '/', '\\', '|', '%2f', '%25', '%00', '..', '../', '?', '#', ';', ' ', '\t', '\r\n', 'ü', '日本', '😀', '\u0000', '\u202e', ']]>', '<![CDATA[', '&amp;', '&#0;', '${x}', '*', '[ds]', 'ha-host_VM0'];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((n) => 'x'.repeat(n * 700)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer().map(String), fc.uuid(), fc.constantFrom('1', '2', '0', '-1', 'null', 'true')) },
);

/** Any JSON value, for the "invalid" side of bodies and fields. */
const wild: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
);

function deref(s: Schema, doc: Doc): Schema {
  let cur = s;
  for (let i = 0; i < 10 && typeof cur?.$ref === 'string'; i++) {
    const name = cur.$ref.replace(/^#\/components\/schemas\//, '');
    cur = doc.components?.schemas?.[name] ?? {};
  }
  return cur ?? {};
}

/** A value for a schema: valid-ish most of the time (bounds respected), wild sometimes. */
export function arb(schema: Schema, doc: Doc, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema, doc);
  const valid = validArb(s, doc, depth);
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: wild });
}

function validArb(s: Schema, doc: Doc, depth: number): fc.Arbitrary<unknown> {
  if (depth > 5) return fc.constant({});
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts) && alts.length) return fc.oneof(...alts.map((a: Schema) => validArb(deref(a, doc), doc, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid' || /\[0-9a-fA-F\]\{8\}/.test(s.pattern ?? '')) return fc.uuid();
      return fc.oneof(
        nastyString.map((v) => (s.maxLength ? v.slice(0, s.maxLength) : v)).filter((v) => v.length >= (s.minLength ?? 0)),
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 20, 20) }),
      );
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e6, -(2 ** 31)), max: Math.min(s.maximum ?? 1e9, 2 ** 31 - 1) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arb(s.items ?? {}, doc, depth + 1), { maxLength: 3 });
    case 'object':
    default: {
      const props: Record<string, Schema> = s.properties ?? {};
      if (!Object.keys(props).length) return type === 'object' ? fc.constant({}) : wild;
      const required = new Set<string>(s.required ?? []);
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) rec[k] = arb(v, doc, depth + 1);
      return fc.record(rec, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
  }
}

/** Query parameters that make the server wait: bounded so that the fuzzer stays fast. */
const WAITS = new Set(['wait', 'timeout']);

function pathArb(template: string, params: Schema[], doc: Doc): fc.Arbitrary<string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (!names.length) return fc.constant(template);
  const rec: Record<string, fc.Arbitrary<string>> = {};
  for (const n of names) {
    const p = params.find((x) => x.in === 'path' && x.name === n);
    const schemaValues = p?.schema ? validArb(deref(p.schema, doc), doc, 1).map(String) : nastyString;
    rec[n] = fc.oneof({ weight: 3, arbitrary: schemaValues }, { weight: 3, arbitrary: nastyString }).map((v) => encodeURIComponent(v));
  }
  return fc.record(rec).map((vals) => template.replace(/\{([^}]+)\}/g, (_m, n: string) => vals[n] || 'x'));
}

function queryArb(params: Schema[], doc: Doc): fc.Arbitrary<string> {
  const q = params.filter((p) => p.in === 'query');
  if (!q.length) return fc.constant('');
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of q) rec[p.name] = WAITS.has(p.name) ? fc.constantFrom('0', '1', 'x', '-1') : arb(p.schema ?? {}, doc);
  return fc
    .record(rec, { requiredKeys: [] })
    .map((o) => {
      const sp = new URLSearchParams();
      for (const [k, v] of Object.entries(o)) sp.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      const s = sp.toString();
      return s ? `?${s}` : '';
    });
}

const XMLISH = fc.oneof(
  nastyString.map((n) => `<domain type="vmware"><name>${n}</name><memory>65536</memory></domain>`),
  nastyString,
  fc.constantFrom('<domain/>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><domain>&a;</domain>', '<a><b></a>', ''),
);

function bodyArb(op: Schema, doc: Doc): fc.Arbitrary<{ ctype?: string; payload?: string | Buffer }> {
  const content: Record<string, Schema> = op.requestBody?.content ?? {};
  const alts: Array<fc.Arbitrary<{ ctype?: string; payload?: string | Buffer }>> = [];
  for (const [ctype, c] of Object.entries(content)) {
    if (ctype.includes('json')) {
      alts.push(arb(c.schema ?? {}, doc).map((v) => ({ ctype, payload: JSON.stringify(v) })));
      alts.push(fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{"__proto__":{"x":1}}').map((p) => ({ ctype, payload: p })));
    } else if (ctype.includes('xml')) alts.push(XMLISH.map((p) => ({ ctype, payload: p })));
    else alts.push(fc.uint8Array({ maxLength: 2048 }).map((b) => ({ ctype, payload: Buffer.from(b) })));
  }
  // Wrong or missing content types.
  alts.push(fc.constantFrom({}, { ctype: 'text/plain', payload: 'hello' }, { ctype: 'application/x-www-form-urlencoded', payload: 'a=1' }));
  return fc.oneof(...alts);
}

/** One arbitrary per operation of the document (minus the ones `skip` rejects). */
export function requestArbs(doc: Doc, skip: (method: string, path: string, op: Schema) => boolean): Array<{ op: string; arb: fc.Arbitrary<FuzzRequest> }> {
  const out: Array<{ op: string; arb: fc.Arbitrary<FuzzRequest> }> = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method) || skip(method, path, op)) continue;
      const params: Schema[] = op.parameters ?? [];
      const name = `${method.toUpperCase()} ${path}`;
      const hasBody = !!op.requestBody || ['post', 'put', 'patch'].includes(method);
      out.push({
        op: name,
        arb: fc
          .record({
            path: pathArb(path, params, doc),
            query: queryArb(params, doc),
            body: hasBody ? bodyArb(op, doc) : fc.constant<{ ctype?: string; payload?: string | Buffer }>({}),
            accept: fc.constantFrom(undefined, 'application/json', 'application/xml', '*/*', 'text/html'),
          })
          .map(({ path: p, query, body, accept }) => ({
            op: name,
            method: method.toUpperCase(),
            url: `${p}${query}`,
            headers: { ...(body.ctype ? { 'content-type': body.ctype } : {}), ...(accept ? { accept } : {}) },
            payload: body.payload,
          })),
      });
    }
  }
  return out;
}
