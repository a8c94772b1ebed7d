// openapi/openapi.json is committed: it must equal what the code generates, validate as OpenAPI 3.1,
// and document every route the way clients (Swagger UI, generated SDKs) need it.
import { validate } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, generateOpenApi } from '../../scripts/openapi.js';

type Op = { tags?: string[]; summary?: string; responses?: Record<string, { content?: Record<string, unknown> }>; security?: unknown[] };

let generated: string;
let doc: { openapi: string; paths: Record<string, Record<string, Op>> };

beforeAll(async () => {
  generated = await generateOpenApi();
  doc = JSON.parse(generated);
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, path, op })));

describe('openapi/openapi.json', () => {
  it('is up to date with the route schemas', () => {
    let committed = '';
    try {
      committed = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      /* missing: reported below */
    }
    // toBe on the whole text would print a huge diff; the message says what to do.
    expect(committed === generated, 'openapi/openapi.json is stale: run npm run openapi').toBe(true);
  });

  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    const res = await validate(JSON.parse(generated));
    expect(res.valid ? [] : res.errors).toEqual([]);
  });

  it('documents every route with tags, a summary and a success response', () => {
    const bad = operations()
      .filter(({ op }) => !op.tags?.length || !op.summary || !Object.keys(op.responses ?? {}).some((s) => /^[23]\d\d$/.test(s)))
      .map((o) => o.id);
    expect(bad).toEqual([]);
  });

  it('gives every JSON success response a typed schema (generated SDKs need it)', () => {
    const bad: string[] = [];
    for (const { id, op } of operations()) {
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        if (!/^2/.test(status)) continue;
        const schema = (r.content?.['application/json'] as { schema?: Record<string, unknown> } | undefined)?.schema;
        if (schema && !['$ref', 'type', 'anyOf', 'oneOf', 'allOf', 'const', 'enum'].some((k) => k in schema)) bad.push(`${id} ${status}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('documents problem+json responses (incl. 401/403) on every /v1 route', () => {
    const bad: string[] = [];
    for (const { id, path, op } of operations()) {
      if (!path.startsWith('/v1/')) continue;
      for (const status of ['401', '403']) {
        if (!op.responses?.[status]?.content?.['application/problem+json']) bad.push(`${id} ${status}`);
      }
      const errors = Object.entries(op.responses ?? {}).filter(([s]) => /^[45]/.test(s));
      for (const [s, r] of errors) if (!r.content?.['application/problem+json']) bad.push(`${id} ${s} is not application/problem+json`);
    }
    expect(bad).toEqual([]);
  });

  it('marks the open service endpoints as needing no token', () => {
    const open = operations().filter((o) => ['/healthz', '/readyz'].includes(o.path));
    expect(open.length).toBeGreaterThan(0);
    for (const { op } of open) expect(op.security).toEqual([]);
  });
});
