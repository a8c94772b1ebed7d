// Shared bits of the operations/events/mirror tests: VM lookup, task helpers through the operations driver.
import type { FastifyInstance } from 'fastify';
import type { GatewayEvent } from '../../../src/drivers/events.js';
import type { Operation } from '../../../src/drivers/operations/types.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';

export async function vmByName(app: FastifyInstance, name: string): Promise<MoRef> {
  const s = await app.drivers.conn.scope();
  const all = await app.drivers.conn.vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: ['name'] }]);
  const hit = all.find((o) => o.props.name === name);
  if (!hit) throw new Error(`no VM ${name} (have ${all.map((o) => o.props.name).join(', ')})`);
  return hit.ref;
}

export async function vmNames(app: FastifyInstance): Promise<string[]> {
  const s = await app.drivers.conn.scope();
  const all = await app.drivers.conn.vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: ['name'] }]);
  return all.map((o) => String(o.props.name)).sort();
}

export async function powerState(app: FastifyInstance, vm: MoRef): Promise<string> {
  return String((await app.drivers.conn.vi.pc.object(vm, ['runtime.powerState']))?.props['runtime.powerState']);
}

/** Runs a vSphere task as an operation (no VM precheck) and waits for it. */
export async function runTask(app: FastifyInstance, method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<Operation> {
  const op = await app.drivers.operations.start({
    kind: `test.${method}`,
    target: { type: 'domain' },
    begin: () => app.drivers.conn.vi.call<MoRef>(method, params),
  });
  return app.drivers.operations.wait(op.id, timeoutMs);
}

/** Sets (or with '' removes) extraConfig keys. */
export async function setExtra(app: FastifyInstance, vm: MoRef, kv: Record<string, string>): Promise<Operation> {
  const extraConfig = Object.entries(kv).map(([key, value]) => ({ key, value: { $type: 'xsd:string', $value: value } }));
  return runTask(app, 'ReconfigVM_Task', { _this: vm, spec: { extraConfig } });
}

export async function json(res: Response): Promise<any> {
  return res.json();
}

/** Resolves with the first bus event matching `pred` (rejects after timeoutMs: a bound, not a timing assertion). */
export function nextEvent(app: FastifyInstance, pred: (e: GatewayEvent) => boolean, timeoutMs = 30_000): Promise<GatewayEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = app.drivers.events.subscribe((e) => {
      if (!pred(e)) return;
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

/** Resolves when the operation is finished (blocked is not finished, unlike operations.wait). */
export async function settled(app: FastifyInstance, id: string, timeoutMs = 30_000): Promise<Operation> {
  const finished = (s: string) => s === 'succeeded' || s === 'failed' || s === 'cancelled';
  const ev = nextEvent(app, (e) => e.type === 'operation' && e.data.id === id && finished(String(e.data.status)), timeoutMs);
  const cur = await app.drivers.operations.get(id);
  if (finished(cur.status)) {
    ev.catch(() => {});
    return cur;
  }
  return (await ev).data as unknown as Operation;
}

/** Re-checks `cond` after every update-loop round until it holds (bounded by timeoutMs). */
export async function eventually(app: FastifyInstance, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await app.drivers.live.loop.nextRound(1000);
  }
}
