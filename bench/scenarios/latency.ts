// Scenario 5 (issue 5 item 7): from a task's completion on the simulator to the client knowing it.
// The simulator runs every task for a known time (-task-delay) and stamps info.completeTime when it
// completes it; a client's latency is the wall clock at which it saw the end minus that stamp
// (same machine, same clock). Gateway: one SSE stream (GET /v1/events?type=operation) open for
// the whole run, and a GET /v1/operations/{id}/wait issued right after the 202 of the start;
// both are measured on the same operation. Raw: PowerOnVM_Task + CreateFilter + WaitForUpdatesEx.
import type { Sim } from '../../test/helpers/esxsim.js';
import { type MirrorMode, benchGateway, hasRoute, waitDomainState } from '../lib/gateway.js';
import { rawClient } from '../lib/raw.js';
import { completeTimeOf, ensureOff, rawTaskAndWait, settleCleanup } from '../lib/raw-task.js';
import { SseReader } from '../lib/sse.js';
import { summarize, wallNow } from '../lib/stats.js';
import { type Row, naRow, ratioOf } from '../lib/table.js';
import { pickDomain } from './get.js';

export interface LatencyOptions {
  vms: number;
  taskDelay: number;
  iterations: number;
}

export async function latencyScenario(sim: Sim, mode: MirrorMode, o: LatencyOptions): Promise<Row[]> {
  const scenario = `task end -> client (task ${o.taskDelay} ms), mirror=${mode}`;
  const g = await benchGateway(sim, mode, o.vms);
  const raw = await rawClient(sim);
  let sse: SseReader | undefined;
  try {
    const routes = await Promise.all([
      hasRoute(g.http, 'post', /^\/v1\/domains\/\{[^}]+\}\/actions\/(start|\{[^}]+\})$/),
      hasRoute(g.http, 'get', /^\/v1\/events$/),
      hasRoute(g.http, 'get', /^\/v1\/operations\/\{[^}]+\}\/wait$/),
    ]);
    if (!routes.every(Boolean)) return [naRow(scenario, 'routes not available (actions, events or operations wait)')];
    const { name, ref } = await pickDomain(g);
    sse = new SseReader(g.gw.url, '/v1/events?type=operation');
    await sse.ready();
    const s = { sse: [] as number[], wait: [] as number[], raw: [] as number[] };
    const warmup = 1;
    for (let i = 0; i < o.iterations + warmup; i++) {
      // Gateway: start without waiting, then watch both ways at once.
      await ensureOff(raw, ref);
      await settleCleanup();
      await waitDomainState(g.http, ref.value, 'shutoff');
      const r = await g.http.request('POST', `/v1/domains/${encodeURIComponent(name)}/actions/start`);
      const op = r.body as { id: string; task: string; status: string };
      if (r.status !== 202 || !op.id) throw new Error(`start: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const viaSse = sse.next((e) => e.event === 'operation' && e.data.id === op.id && e.data.status === 'succeeded');
      const viaWait = g.http.get<{ status: string }>(`/v1/operations/${encodeURIComponent(op.id)}/wait?timeout=30`).then((w) => {
        if (w.status !== 'succeeded') throw new Error(`wait answered status ${w.status}`);
        return wallNow();
      });
      const [seenSse, seenWait] = await Promise.all([viaSse, viaWait]);
      const done = await completeTimeOf(raw, { type: 'Task', value: op.task });
      // Raw: the same task, through the minimal vim25 waiter.
      await ensureOff(raw, ref);
      await settleCleanup();
      const end = await rawTaskAndWait(raw, 'PowerOnVM_Task', ref);
      if (i < warmup) continue;
      s.sse.push(seenSse.at - done);
      s.wait.push(seenWait - done);
      s.raw.push(end.seenAt - end.completeTime);
    }
    await settleCleanup();
    const rw = summarize(s.raw);
    const rows: Row[] = [];
    for (const [via, samples] of [['SSE', s.sse], ['/wait', s.wait]] as const) {
      const gw = summarize(samples);
      for (const m of ['p50', 'p99'] as const) {
        rows.push({ scenario: `${scenario}, via ${via}`, metric: `${m} ms`, gateway: gw[m], raw: rw[m], ratio: ratioOf(gw[m], rw[m]), goal: '', met: null, ...(m === 'p50' ? { note: `n=${gw.n}; raw = WaitForUpdatesEx` } : {}) });
      }
    }
    return rows;
  } finally {
    await sse?.close();
    await raw.close();
    await g.close();
  }
}
