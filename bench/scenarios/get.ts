// Scenario 2 (issue 4 item 9, issue 8): one domain by name. Gateway = GET /v1/domains/{name}
// (summary + definition from `config` + runtime); raw = one RetrievePropertiesEx of the same
// properties (DETAIL_PROPS) of that one VM. The raw client is assumed to know the VM's MoRef
// already, the best case for raw; the gateway resolves the name.
import { DETAIL_PROPS } from '../../src/drivers/domain/detail.js';
import type { MoRef } from '../../src/vi/soap/encode.js';
import type { BenchGateway } from '../lib/gateway.js';
import { type Raw, objectSpec, retrieve } from '../lib/raw.js';
import { interleaved, summarize } from '../lib/stats.js';
import { type Row, ratioOf } from '../lib/table.js';

export interface GetOptions {
  /** Inventory size, for the label. */
  vms: number;
  iterations: number;
  warmup: number;
}

/** A VM in the middle of the inventory: its name (as the gateway lists it) and MoRef. */
export async function pickDomain(g: BenchGateway): Promise<{ name: string; ref: MoRef }> {
  const page = await g.http.get<{ items: Array<{ name: string; moref: string }> }>('/v1/domains?limit=10000');
  const d = page.items[Math.floor(page.items.length / 2)]!;
  return { name: d.name, ref: { type: 'VirtualMachine', value: d.moref } };
}

export async function getScenario(g: BenchGateway, raw: Raw, o: GetOptions): Promise<Row[]> {
  const { name, ref } = await pickDomain(g);
  const spec = objectSpec(ref, DETAIL_PROPS);
  const path = `/v1/domains/${encodeURIComponent(name)}`;
  const samples = await interleaved(
    {
      gateway: () => g.http.get(path),
      raw: async () => {
        const objs = await retrieve(raw, spec);
        if (objs.length !== 1) throw new Error('raw retrieve of one VM returned no object');
      },
    },
    o,
  );
  const gw = summarize(samples.gateway);
  const rw = summarize(samples.raw);
  const scenario = `get 1 domain by name (${o.vms} VMs), mirror=${g.mode}`;
  const row = (metric: 'p50' | 'p99' | 'mean'): Row => {
    const ratio = ratioOf(gw[metric], rw[metric]);
    const goaled = metric !== 'mean';
    return { scenario, metric: `${metric} ms`, gateway: gw[metric], raw: rw[metric], ratio, goal: goaled ? 'ratio <= 1.2' : '', met: goaled ? ratio !== null && ratio <= 1.2 : null, ...(metric === 'p50' ? { note: `n=${gw.n}` } : {}) };
  };
  return [row('p50'), row('p99'), row('mean')];
}
