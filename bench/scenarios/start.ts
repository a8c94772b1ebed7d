// Scenario 4 (issue 4 item 9, issue 8): start + wait on a domain. Gateway = POST
// /v1/domains/{name}/actions/start?wait=30 answered 200 with the finished operation. Raw =
// PowerOnVM_Task + CreateFilter on the task + WaitForUpdatesEx until info.state is success (the raw
// client knows the VM's MoRef; the gateway looks the domain up by name). The VM is powered off
// (raw, untimed) before each run; runs alternate between gateway and raw.
import type { Sim } from '../../test/helpers/esxsim.js';
import { type MirrorMode, benchGateway, hasRoute, waitDomainState } from '../lib/gateway.js';
import { rawClient } from '../lib/raw.js';
import { ensureOff, rawTaskAndWait, settleCleanup } from '../lib/raw-task.js';
import { summarize, timed } from '../lib/stats.js';
import { type Row, naRow, ratioOf } from '../lib/table.js';
import { pickDomain } from './get.js';

export interface StartOptions {
  vms: number;
  iterations: number;
}

export async function startScenario(sim: Sim, mode: MirrorMode, o: StartOptions): Promise<Row[]> {
  const scenario = `start + wait (${o.vms} VMs), mirror=${mode}`;
  const g = await benchGateway(sim, mode, o.vms);
  const raw = await rawClient(sim);
  try {
    if (!(await hasRoute(g.http, 'post', /^\/v1\/domains\/\{[^}]+\}\/actions\/(start|\{[^}]+\})$/))) return [naRow(scenario, 'route not available')];
    const { name, ref } = await pickDomain(g);
    const path = `/v1/domains/${encodeURIComponent(name)}/actions/start?wait=30`;
    const gateway = async () => {
      const r = await g.http.request('POST', path);
      const op = r.body as { status?: string };
      if (r.status !== 200 || op.status !== 'succeeded') throw new Error(`start: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    };
    const rawRun = async () => {
      const end = await rawTaskAndWait(raw, 'PowerOnVM_Task', ref);
      if (end.state !== 'success') throw new Error('raw PowerOnVM_Task failed');
    };
    const samples = { gateway: [] as number[], raw: [] as number[] };
    const warmup = 2;
    for (let i = 0; i < o.iterations + warmup; i++) {
      const order = i % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      for (const k of order) {
        await ensureOff(raw, ref);
        await settleCleanup();
        await waitDomainState(g.http, ref.value, 'shutoff');
        const ms = await timed(k === 'gateway' ? gateway : rawRun);
        if (i >= warmup) samples[k].push(ms);
      }
    }
    await settleCleanup();
    const gw = summarize(samples.gateway);
    const rw = summarize(samples.raw);
    return (['p50', 'p99'] as const).map((m) => ({
      scenario,
      metric: `${m} ms`,
      gateway: gw[m],
      raw: rw[m],
      ratio: ratioOf(gw[m], rw[m]),
      goal: '',
      met: null,
      note: m === 'p50' ? `n=${gw.n}; overhead ${(gw.p50 - rw.p50).toFixed(1)} ms` : '',
    }));
  } finally {
    await raw.close();
    await g.close();
  }
}
