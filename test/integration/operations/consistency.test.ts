// Read-your-writes of define/undefine while the mirror's update stream lags (held back here, so the
// only way the new state can show is the operations/mirror code inserting it), and the pre-check
// not refusing a task because of one that this gateway already saw complete.
import { describe, expect, it } from 'vitest';
import { useSimGateway } from '../../helpers/sim-gateway.js';
import type { Mirror } from '../../../src/drivers/mirror.js';
import type { Operation } from '../../../src/drivers/operations/types.js';
import type { ObjectUpdate } from '../../../src/vi/update-loop.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { eventually, vmByName } from './helpers.js';

const ctx = useSimGateway({ esx: true, vms: 2 });

const http = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${ctx.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: r.status === 204 ? null : ((await r.json()) as any) };
};
const names = async () => (await http('GET', '/v1/domains')).body.items.map((d: { name: string }) => d.name) as string[];

/**
 * Holds back the stream's updates about VMs the mirror does not know and about removed VMs. A
 * reload (resync) passes: the 0.24 simulator's WaitForUpdatesEx panics when an object changes and
 * is deleted within one round, and the loop then resyncs; held updates are then superseded.
 */
function holdNewAndRemoved(mirror: Mirror, loop: { resyncs: number }): { held: ObjectUpdate[]; release(): void } {
  const m = mirror as unknown as { onUpdate(ups: ObjectUpdate[]): void };
  const original = m.onUpdate;
  const held: ObjectUpdate[] = [];
  const resyncs = loop.resyncs;
  m.onUpdate = function (this: unknown, ups: ObjectUpdate[]) {
    if (!mirror.ready) return original.call(mirror, ups);
    const known = new Set(mirror.vms().map((v) => v.ref.value));
    const hold = (u: ObjectUpdate) => u.obj.type === 'VirtualMachine' && (u.kind === 'leave' || !known.has(u.obj.value) || held.some((h) => h.obj.value === u.obj.value));
    held.push(...ups.filter(hold));
    original.call(mirror, ups.filter((u) => !hold(u)));
  };
  return {
    held,
    release() {
      m.onUpdate = original;
      const stale = held.splice(0);
      if (loop.resyncs === resyncs) original.call(mirror, stale);
    },
  };
}

describe('read-your-writes', () => {
  it('a defined domain is listed and found at once; an undefined one is gone at once (both undefine paths)', async () => {
    const mirror = ctx.gw.app.drivers.live.mirror;
    expect((await http('GET', '/v1/domains')).status).toBe(200);
    await eventually(ctx.gw.app, () => mirror.usable);
    const hold = holdNewAndRemoved(mirror, ctx.gw.app.drivers.live.loop);
    try {
      for (const name of ['ryw-a', 'ryw-b']) {
        const def = await http('POST', '/v1/domains', { name, memory: 32768 });
        expect(def.status, JSON.stringify(def.body)).toBe(201);
        expect(mirror.usable).toBe(true); // the answers below come from memory
        expect(await names()).toContain(name);
        expect((await http('GET', `/v1/domains/${name}`)).body).toMatchObject({ name, state: 'shutoff' });
      }
      // UnregisterVM (no task) and Destroy_Task (an operation).
      expect((await http('DELETE', '/v1/domains/ryw-a')).status).toBe(204);
      expect((await http('DELETE', '/v1/domains/ryw-b?delete-files=true')).status).toBe(204);
      const after = await names();
      expect(after).not.toContain('ryw-a');
      expect(after).not.toContain('ryw-b');
      expect((await http('GET', '/v1/domains/ryw-a')).status).toBe(404);
    } finally {
      hold.release();
    }
    // Once the stream catches up, stale updates do not bring the removed domains back.
    await ctx.gw.app.drivers.live.loop.nextRound(5000);
    expect(await names()).toEqual(['ha-host_VM0', 'ha-host_VM1']);
  });
});

describe('pre-check after a finished task', () => {
  it('a task this gateway saw complete does not refuse the next one, even before its operation is reported', async () => {
    const { mirror } = ctx.gw.app.drivers.live;
    const ops = ctx.gw.app.drivers.operations;
    const vm = await vmByName(ctx.gw.app, 'ha-host_VM0');
    const call = (m: string) => () => ctx.gw.app.drivers.conn.vi.call<MoRef>(m, { _this: vm });
    // The first refresh of the VM happens after the task was seen complete, before the operation is
    // reported finished: the moment a client reading the domain's new state fires its next task.
    const m = mirror as unknown as { refreshVm(ref?: MoRef): Promise<void> };
    const original = m.refreshVm;
    let second: Promise<Operation> | undefined;
    m.refreshVm = function (ref?: MoRef) {
      if (ref?.value === vm.value && !second) second = ops.start({ kind: 'domain.start', target: { type: 'domain' }, vm, begin: call('PowerOnVM_Task') });
      return original.call(mirror, ref);
    };
    try {
      const first = await ops.start({ kind: 'domain.destroy', target: { type: 'domain' }, vm, begin: call('PowerOffVM_Task') });
      expect((await ops.wait(first.id, 20_000)).status).toBe('succeeded');
      expect(second).toBeDefined();
      const next = await second!;
      expect((await ops.wait(next.id, 20_000)).status).toBe('succeeded');
    } finally {
      m.refreshVm = original;
    }
    // And over HTTP: actions back to back, each fired as soon as the previous one answered.
    for (const action of ['destroy', 'start', 'suspend', 'resume', 'destroy']) {
      const r = await http('POST', `/v1/domains/ha-host_VM1/actions/${action}?wait=30`);
      expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.status).toBe('succeeded');
    }
  });
});
