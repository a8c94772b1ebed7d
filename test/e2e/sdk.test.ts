// A generated SDK that works: openapi-typescript turns openapi/openapi.json into types (in a temp
// dir, never committed), a small client program written against them with openapi-fetch must
// typecheck strictly, and then runs against a live simulator + gateway: list domains, power one
// off and start it again, waiting on the operations.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPEC = join(ROOT, 'openapi', 'openapi.json');
const TOKEN = 'sdk-test-token-0123456789';

// The client program: only the generated types and openapi-fetch. The @ts-expect-error lines
// prove the types are real (an `any` client would make them unused directives, which fail).
const FLOW = `
import createClient from 'openapi-fetch';
import type { paths, components } from './schema.js';

type Operation = components['schemas']['Operation'];
// GET /v1/domains/{domain} also speaks libvirt XML (a string): narrow to the JSON form.
const stateOf = (d: { state: string } | string | undefined) => (typeof d === 'object' ? d.state : undefined);

export async function flow(baseUrl: string, token: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });

  const list = await client.GET('/v1/domains', { params: { query: { limit: 100 } } });
  if (list.error) throw new Error(\`list: \${list.error.code}: \${list.error.detail}\`);
  const names: string[] = list.data.items.map((d) => d.name);
  const name = names[0]!;

  // @ts-expect-error: no such route
  void client.GET('/v1/no-such-route');
  // @ts-expect-error: not an action
  void client.POST('/v1/domains/{domain}/actions/{action}', { params: { path: { domain: name, action: 'explode' } } });

  const act = async (action: 'start' | 'destroy') => {
    const r = await client.POST('/v1/domains/{domain}/actions/{action}', { params: { path: { domain: name, action }, query: { wait: 30 } } });
    if (r.error) throw new Error(\`\${action}: \${r.error.code}: \${r.error.detail}\`);
    if (!('id' in r.data)) throw new Error(\`\${action} did not answer an operation\`);
    const op: Operation = r.data;
    return { status: r.response.status, op };
  };
  const stopped = await act('destroy');
  const afterStop = await client.GET('/v1/domains/{domain}', { params: { path: { domain: name } } });
  const started = await act('start');
  const waited = await client.GET('/v1/operations/{id}/wait', { params: { path: { id: started.op.id }, query: { timeout: 30 } } });
  const afterStart = await client.GET('/v1/domains/{domain}', { params: { path: { domain: name } } });
  const missing = await client.GET('/v1/domains/{domain}', { params: { path: { domain: 'no-such-domain' } } });
  const problemCode: string | undefined = missing.error?.code;

  return {
    names,
    name,
    stopped: { httpStatus: stopped.status, status: stopped.op.status, kind: stopped.op.kind },
    stateAfterStop: stateOf(afterStop.data),
    started: { httpStatus: started.status, status: started.op.status, kind: started.op.kind, id: started.op.id },
    waited: waited.data?.status,
    stateAfterStart: stateOf(afterStart.data),
    missing: { httpStatus: missing.response.status, code: problemCode },
  };
}
`;

let sim: Sim;
let gw: Gateway;
let dir: string;

beforeAll(async () => {
  // Tasks run for a while, so ?wait=30 really waits for the operation to finish.
  sim = await startSim({ esx: true, vms: 3, taskDelay: 300 });
  gw = await startGateway(sim, { env: { ESXGATE_TOKENS: TOKEN } });
  mkdirSync(join(ROOT, 'test', '.tmp'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'test', '.tmp', 'sdk-'));
});

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('generated TypeScript SDK (openapi-typescript + openapi-fetch)', () => {
  it('generates types from openapi/openapi.json that a strict client program typechecks against', async () => {
    const schema = astToString(await openapiTS(pathToFileURL(SPEC)));
    expect(schema).toContain('"/v1/domains/{domain}/actions/{action}"');
    writeFileSync(join(dir, 'schema.ts'), schema);
    writeFileSync(join(dir, 'flow.ts'), FLOW);
    const program = ts.createProgram([join(dir, 'flow.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      skipLibCheck: true,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.slice(dir.length + 1)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
  });

  it('lists domains, stops one and starts it again, waiting on the operations', async () => {
    const { flow } = (await import(pathToFileURL(join(dir, 'flow.ts')).href)) as { flow: (u: string, t: string) => Promise<Record<string, any>> };
    const r = await flow(gw.url, TOKEN);
    expect(r.names).toHaveLength(3);
    expect(r.stopped).toEqual({ httpStatus: 200, status: 'succeeded', kind: expect.stringContaining('destroy') });
    expect(r.stateAfterStop).toBe('shutoff');
    expect(r.started).toMatchObject({ httpStatus: 200, status: 'succeeded', kind: expect.stringContaining('start') });
    expect(r.waited).toBe('succeeded');
    expect(r.stateAfterStart).toBe('running');
    expect(r.missing).toEqual({ httpStatus: 404, code: 'no-domain' });
  });
});
