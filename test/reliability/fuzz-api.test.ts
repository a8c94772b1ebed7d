// Scenario 5: fuzzed API input, generated from the gateway's own OpenAPI document (so every route,
// including ones added later, is covered), against a dedicated simulator. Invariants: no 500, no
// upstream-looking 5xx unless ESX really answered a fault (or really went away), every 4xx/5xx is
// problem+json with a code; and names full of XML/URL/path metacharacters, non-ASCII and long
// strings round-trip exactly through define/get/xml/list, their datastore files are reachable
// through the /folder URL, and undefine removes them.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameToVi } from '../../src/drivers/domain/state.js';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { type Doc, type FuzzRequest, nastyString, requestArbs } from './support/openapi-arb.js';
import { tally, writeResult } from './support/results.js';
import { SessionWatcher } from './support/sessions.js';

const TOTAL = Number(process.env.RELIABILITY_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;
const UPSTREAM = new Set(['upstream-error', 'upstream-unavailable', 'upstream-tls', 'operation-timeout', 'operation-failed', 'auth-failed']);

const NAMES = [
  'a<b>c',
  'x&y&amp;z',
  'q"uote',
  "s'ingle",
  'per%cent%25',
  'sl/ash',
  'back\\slash',
  'pi|pe',
  'all < > & " \' % / \\ |',
  'ünïcødé-日本語-😀',
  '\u202eright-to-left',
  ' lead and trail ',
  '%2f%5c%25',
  '[LocalDS_0] not a path',
  'n'.repeat(80),
];

describe('fuzzed API input', () => {
  let sim: Sim;
  let gw: Gateway;
  let watcher: SessionWatcher;
  const notes: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 3 });
    gw = await startGateway(sim, { listen: false, env: { ESXGATE_POOL_SIZE: '4', ESXGATE_UPSTREAM_TIMEOUT_MS: '15000' } });
    await gw.app.ready();
    watcher = new SessionWatcher(sim);
  });
  afterAll(async () => {
    await watcher?.close();
    await gw?.close();
    await sim?.stop();
  });

  const inject = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    requests++;
    return gw.app.inject({ method: method as 'GET', url, payload: payload as string, headers });
  };

  it('round-trips names with XML/URL metacharacters, non-ASCII and long strings through define/get', async () => {
    // Numeric and UUID-shaped names are lookups by id/UUID first (as in libvirt), not round-trips.
    const usable = (s: string) => s.trim().length > 0 && s.length <= 80 && !/^-?\d+$|^[0-9a-f-]{32,36}$/i.test(s.trim()) && !/[\u0000-\u001f\ud800-\udfff\ufffe\uffff]/.test(s);
    const generated = fc.sample(nastyString.filter(usable), { numRuns: 15, seed: SEED });
    const pool = ((await inject('GET', '/v1/storage-pools')).json() as { items: Array<{ name: string }> }).items[0]!.name;
    const problems: string[] = [];
    for (const name of [...NAMES, ...generated]) {
      const enc = encodeURIComponent(name);
      const def = await inject('POST', '/v1/domains', { name, memory: 65536 });
      if (def.statusCode !== 201) {
        // A name ESX cannot hold may be refused, but only as a clear 4xx problem.
        if (def.statusCode >= 500 || !/problem\+json/.test(String(def.headers['content-type']))) problems.push(`define ${JSON.stringify(name)}: ${def.statusCode} ${def.body.slice(0, 200)}`);
        else notes.push(`define refused ${JSON.stringify(name.slice(0, 40))}: ${def.statusCode} ${(def.json() as { code: string }).code}`);
        continue;
      }
      const d = def.json() as { name: string; uuid: string };
      if (d.name !== name) problems.push(`define answered name ${JSON.stringify(d.name)} for ${JSON.stringify(name)}`);
      const byName = await inject('GET', `/v1/domains/${enc}`);
      if (byName.statusCode !== 200 || (byName.json() as { name: string }).name !== name) problems.push(`get ${JSON.stringify(name)}: ${byName.statusCode} ${byName.body.slice(0, 200)}`);
      const byUuid = await inject('GET', `/v1/domains/${d.uuid}`);
      if ((byUuid.json() as { name?: string }).name !== name) problems.push(`get by uuid ${JSON.stringify(name)}: ${byUuid.statusCode}`);
      const xml = await inject('GET', `/v1/domains/${enc}/xml`);
      if (xml.statusCode !== 200 || !xml.body.includes('<name>')) problems.push(`xml ${JSON.stringify(name)}: ${xml.statusCode} ${xml.body.slice(0, 200)}`);
      const list = await inject('GET', '/v1/domains?limit=10000');
      if (!(list.json() as { items: Array<{ name: string }> }).items.some((i) => i.name === name)) problems.push(`list lacks ${JSON.stringify(name)}`);
      // Its files, through the datastore browser and the /folder URL.
      const vols = (await inject('GET', `/v1/storage-pools/${encodeURIComponent(pool)}/volumes`)).json() as { items?: Array<{ name: string; path: string }> };
      // The simulator names the directory after the (escaped, trimmed) name.
      const dirs = new Set([nameToVi(name), nameToVi(name).trim()]);
      const log = vols.items?.find((v) => v.name.endsWith('/vmware.log') && dirs.has(v.name.slice(0, -'/vmware.log'.length)));
      if (!log) problems.push(`no files for ${JSON.stringify(name)} in the datastore`);
      else {
        // Volumes are addressed by name or by "[ds] path"; a name that itself starts with "[" is
        // ambiguous, so the path form is used for those.
        const volume = log.name.startsWith('[') ? log.path : log.name;
        const content = await inject('GET', `/v1/storage-pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(volume)}/content`);
        if (content.statusCode !== 200 || content.body.length === 0) problems.push(`/folder download of ${JSON.stringify(volume)}: ${content.statusCode} ${content.body.slice(0, 200)}`);
      }
      const del = await inject('DELETE', `/v1/domains/${enc}`);
      if (del.statusCode >= 300) problems.push(`undefine ${JSON.stringify(name)}: ${del.statusCode} ${del.body.slice(0, 200)}`);
      const gone = await inject('GET', `/v1/domains/${enc}`);
      if (gone.statusCode !== 404) problems.push(`after undefine ${JSON.stringify(name)}: ${gone.statusCode}`);
    }
    expect(problems).toEqual([]);
  });

  it(`answers ${TOTAL} fuzzed requests over every route without a 500 (seed ${SEED})`, async () => {
    const doc = gw.app.swagger() as unknown as Doc;
    // SSE never ends, so inject() would wait forever: it has its own tests.
    const arbs = requestArbs(doc, (_m, _p, op) => !!op.responses?.['200']?.content?.['text/event-stream']);
    const per = Math.ceil(TOTAL / arbs.length);
    const reqs: FuzzRequest[] = arbs.flatMap((a, i) => fc.sample(a.arb, { numRuns: per, seed: SEED + i }));
    const violations: string[] = [];
    const statuses: Array<{ op: string; status: number; code?: string }> = [];
    let simFaults = 0;

    const check = async (q: FuzzRequest) => {
      let r;
      try {
        r = await gw.app.inject({ method: q.method as 'GET', url: q.url, headers: q.headers, payload: q.payload });
      } catch (e) {
        violations.push(`${q.method} ${q.url.slice(0, 200)}: inject threw ${(e as Error).message}`);
        return;
      }
      requests++;
      const ctype = String(r.headers['content-type'] ?? '');
      let body: { code?: string; fault?: string; detail?: string } = {};
      if (r.statusCode >= 400) {
        try {
          body = JSON.parse(r.body);
        } catch {
          /* checked below */
        }
      }
      statuses.push({ op: q.op, status: r.statusCode, code: body.code });
      const where = `${q.method} ${q.url.slice(0, 160)} ${q.headers['content-type'] ?? ''} ${String(q.payload ?? '').slice(0, 120)}`;
      if (r.statusCode >= 400 && (!ctype.startsWith('application/problem+json') || !body.code)) violations.push(`${where} -> ${r.statusCode} without problem+json code: ${r.body.slice(0, 200)}`);
      if (r.statusCode >= 500) {
        if (r.statusCode === 500 || !body.code || !UPSTREAM.has(body.code)) violations.push(`${where} -> ${r.statusCode} ${body.code}: ${body.detail?.slice(0, 200)}`);
        else if (body.fault) simFaults++; // ESX itself answered a fault: a genuine upstream failure.
        else if (await watcher.count().then(() => true, () => false)) violations.push(`${where} -> ${r.statusCode} ${body.code} while the simulator was fine: ${body.detail?.slice(0, 200)}`);
      }
    };

    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < reqs.length) await check(reqs[next++]!);
      }),
    );
    const byOp = tally(statuses, (s) => s.op);
    writeResult({
      scenario: '5-fuzzed-api-input',
      injected: `${reqs.length} requests generated from the OpenAPI document (${arbs.length} operations, seed ${SEED}); ${NAMES.length}+15 nasty names through define/get/xml/list//folder/undefine`,
      requests,
      failures: violations.length,
      failureKinds: tally(statuses.filter((s) => s.status >= 500), (s) => `${s.status} ${s.code}`),
      metrics: {
        'seconds': Math.round((Date.now() - t0) / 1000),
        'by status': Object.entries(tally(statuses, (s) => String(s.status))).map(([k, v]) => `${k}:${v}`).join(' '),
        'ESX faults (5xx)': simFaults,
        'operations': Object.keys(byOp).length,
      },
      notes: [...notes.slice(0, 10), ...violations.slice(0, 10).map((v) => `VIOLATION ${v}`)],
    });
    expect(reqs.length).toBeGreaterThanOrEqual(TOTAL);
    expect(violations.slice(0, 30)).toEqual([]);
  });
});
