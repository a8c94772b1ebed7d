// ESX restart while the gateway watches: the update loop reconnects and resyncs, the mirror
// reloads, lifecycle changes made after the restart are seen, and an operation whose task died with
// the old ESX ends failed instead of staying blocked forever (and does not block the VM).
import { describe, expect, it } from 'vitest';
import { useSimGateway } from '../../helpers/sim-gateway.js';
import { rawClient } from '../../helpers/vi.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { eventually, nextEvent, runTask, setExtra, settled, vmByName } from './helpers.js';

process.env.ESXGATE_UPDATE_WAIT_SECONDS = '3';

const ctx = useSimGateway({ esx: true, vms: 2 });

const post = async (path: string) => {
  const r = await fetch(`${ctx.url}${path}`, { method: 'POST' });
  return { status: r.status, body: (await r.json()) as any };
};

describe('ESX restart', () => {
  it('resyncs the loop and the mirror, sees new changes, and fails the operation whose task is gone', async () => {
    const { loop, mirror } = ctx.gw.app.drivers.live;
    expect((await fetch(`${ctx.url}/v1/domains`)).status).toBe(200);
    await eventually(ctx.gw.app, () => mirror.usable);

    // An operation held by a question (auto_answer=0): its task runs until answered.
    const vm0 = await vmByName(ctx.gw.app, 'ha-host_VM0');
    expect((await runTask(ctx.gw.app, 'PowerOffVM_Task', { _this: vm0 })).status).toBe('succeeded');
    expect((await setExtra(ctx.gw.app, vm0, { 'esxsim.question': 'Keep going?' })).status).toBe('succeeded');
    const op = await ctx.gw.app.drivers.operations.start({
      kind: 'domain.start',
      target: { type: 'domain', name: 'ha-host_VM0', moref: vm0.value },
      vm: vm0,
      autoAnswer: false,
      begin: () => ctx.gw.app.drivers.conn.vi.call<MoRef>('PowerOnVM_Task', { _this: vm0 }),
    });
    expect((await ctx.gw.app.drivers.operations.wait(op.id, 20_000)).status).toBe('blocked');
    const resyncs = loop.resyncs;
    const loads = mirror.loads;

    ctx.sim.kill();
    await ctx.sim.restart(); // fresh inventory: VM0 powered on, no question, the task gone

    const done = await settled(ctx.gw.app, op.id, 30_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'operation-failed', fault: 'ManagedObjectNotFound' });
    expect(done.question).toBeUndefined();

    await eventually(ctx.gw.app, () => loop.resyncs > resyncs && mirror.loads > loads && mirror.usable, 60_000);
    expect(loop.healthy).toBe(true);
    // The reloaded mirror shows the restarted ESX's state, not the pre-restart one.
    expect(mirror.findVm('ha-host_VM0')?.props['runtime.powerState']).toBe('poweredOn');

    // A change made outside the gateway after the restart is seen as a lifecycle event.
    const outside = await rawClient(ctx.sim);
    try {
      const vm1 = await vmByName(ctx.gw.app, 'ha-host_VM1');
      const stopped = nextEvent(ctx.gw.app, (e) => e.type === 'lifecycle' && e.data.kind === 'stopped' && e.data.moref === vm1.value);
      await outside.call('PowerOffVM_Task', { _this: vm1 });
      expect((await stopped).data.domain).toBe('ha-host_VM1');
    } finally {
      await outside.close();
    }

    // The lost operation does not hold the VM: a new action on it starts and finishes.
    const destroy = await post('/v1/domains/ha-host_VM0/actions/destroy?wait=30');
    expect(destroy.status).toBe(200);
    expect(destroy.body.status).toBe('succeeded');
  });
});
