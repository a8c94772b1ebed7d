// Scenario 3 (issue 8): 64 concurrent clients for a bounded time on list and on get. Gateway =
// autocannon (programmatic) against the in-process gateway; raw = 64 concurrent loops of the same
// RetrievePropertiesEx on one session, for the same time. Both share this process's CPU with the
// gateway, so the figures are relative, not absolute capacity.
import autocannon from 'autocannon';
import { DETAIL_PROPS } from '../../src/drivers/domain/detail.js';
import { SUMMARY_PROPS } from '../../src/drivers/domain/index.js';
import type { BenchGateway } from '../lib/gateway.js';
import { type Raw, createView, objectSpec, retrieve, viewSpec } from '../lib/raw.js';
import { summarize, timed } from '../lib/stats.js';
import { type Row, ratioOf } from '../lib/table.js';
import { pickDomain } from './get.js';

export interface ConcurrentOptions {
  vms: number;
  durationS: number;
  connections: number;
}

/**
 * `connections` loops of `fn` for `durationS`: calls completed within the duration per second,
 * their latency, errors. Like autocannon, calls still in flight at the end are not counted.
 */
async function rawLoad(fn: () => Promise<unknown>, o: ConcurrentOptions): Promise<{ rps: number; p99: number; errors: number }> {
  const samples: number[] = [];
  let errors = 0;
  const end = performance.now() + o.durationS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        const ms = await timed(fn);
        if (performance.now() <= end) samples.push(ms);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  return { rps: samples.length / o.durationS, p99: summarize(samples).p99, errors };
}

async function one(label: string, g: BenchGateway, path: string, rawFn: () => Promise<unknown>, o: ConcurrentOptions): Promise<Row[]> {
  const r = await autocannon({ url: `${g.gw.url}${path}`, connections: o.connections, duration: o.durationS, timeout: 30 });
  const rw = await rawLoad(rawFn, o);
  const okRps = r['2xx'] / r.duration;
  const errors = r.errors + r.timeouts + r.non2xx;
  const scenario = `${o.connections} clients ${label} (${o.vms} VMs), mirror=${g.mode}`;
  return [
    { scenario, metric: 'req/s', gateway: okRps, raw: rw.rps, ratio: ratioOf(okRps, rw.rps), goal: '', met: null, note: `${o.durationS} s each` },
    { scenario, metric: 'p99 ms', gateway: r.latency.p99, raw: rw.p99, ratio: ratioOf(r.latency.p99, rw.p99), goal: '', met: null },
    { scenario, metric: 'errors', gateway: errors, raw: rw.errors, ratio: null, goal: 'errors = 0', met: errors === 0, ...(errors ? { note: `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}` } : {}) },
  ];
}

export async function concurrentScenario(g: BenchGateway, raw: Raw, o: ConcurrentOptions): Promise<Row[]> {
  const view = await createView(raw, 'VirtualMachine');
  const list = viewSpec(view, 'VirtualMachine', SUMMARY_PROPS);
  const { name, ref } = await pickDomain(g);
  const get = objectSpec(ref, DETAIL_PROPS);
  try {
    return [
      ...(await one('list', g, '/v1/domains?limit=10000', () => retrieve(raw, list), o)),
      ...(await one('get', g, `/v1/domains/${encodeURIComponent(name)}`, () => retrieve(raw, get), o)),
    ];
  } finally {
    await raw.vi.pool.invoke(raw.session, 'DestroyView', { _this: view }).catch(() => {});
  }
}
