// Scenario 1 (issue 2 item 10, issue 8): list every VM. Gateway = GET /v1/domains?limit=10000 over
// loopback HTTP, body read and JSON-parsed. Raw = one RetrievePropertiesEx of the same properties
// (SUMMARY_PROPS) over an existing ContainerView, decoded into JS objects.
import { SUMMARY_PROPS } from '../../src/drivers/domain/index.js';
import type { BenchGateway } from '../lib/gateway.js';
import { type Raw, createView, retrieve, viewSpec } from '../lib/raw.js';
import { interleaved, summarize } from '../lib/stats.js';
import { type Row, ratioOf } from '../lib/table.js';

export interface ListOptions {
  vms: number;
  iterations: number;
  warmup: number;
}

export async function listScenario(g: BenchGateway, raw: Raw, o: ListOptions): Promise<Row[]> {
  const view = await createView(raw, 'VirtualMachine');
  const spec = viewSpec(view, 'VirtualMachine', SUMMARY_PROPS);
  const samples = await interleaved(
    {
      gateway: async () => {
        const page = await g.http.get<{ items: unknown[] }>('/v1/domains?limit=10000');
        if (page.items.length !== o.vms) throw new Error(`gateway listed ${page.items.length} of ${o.vms} VMs`);
      },
      raw: async () => {
        const objs = await retrieve(raw, spec);
        if (objs.length !== o.vms) throw new Error(`raw retrieve returned ${objs.length} of ${o.vms} VMs`);
      },
    },
    o,
  );
  await raw.vi.pool.invoke(raw.session, 'DestroyView', { _this: view }).catch(() => {});
  const gw = summarize(samples.gateway);
  const rw = summarize(samples.raw);
  const scenario = `list ${o.vms} VMs, mirror=${g.mode}`;
  // The 0.2 goal is the mirror's (issue 8); without it the gateway does the raw call and more.
  const goal = g.mode === '1' ? 'ratio <= 0.2' : '';
  const row = (metric: 'p50' | 'p99' | 'mean'): Row => {
    const ratio = ratioOf(gw[metric], rw[metric]);
    const goaled = goal !== '' && metric !== 'mean';
    return { scenario, metric: `${metric} ms`, gateway: gw[metric], raw: rw[metric], ratio, goal: goaled ? goal : '', met: goaled ? ratio !== null && ratio <= 0.2 : null, ...(metric === 'p50' ? { note: `n=${gw.n}` } : {}) };
  };
  return [row('p50'), row('p99'), row('mean')];
}
