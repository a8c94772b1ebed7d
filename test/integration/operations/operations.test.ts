// Operations against the simulator: status/progress of a delayed task, wait, list, preconditions,
// cancel (cancelable and not), operations this instance did not start.
import { afterAll, beforeAll, describe, expect, it, vi as vitest } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { powerState, vmByName } from './helpers.js';

let sim: Sim;
let gw: Gateway;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 3, taskDelay: 1200 });
  gw = await startGateway(sim);
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

const call = (m: string, p: Record<string, unknown>) => gw.app.drivers.conn.vi.call<MoRef>(m, p);
const get = (path: string, init?: RequestInit) => fetch(`${gw.url}${path}`, init);

describe('operations', () => {
  it('reports a running task with progress, then its success through GET, /wait and the list', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM0');
    const op = await gw.app.drivers.operations.start({
      kind: 'domain.destroy',
      target: { type: 'domain', name: 'ha-host_VM0', moref: vm.value },
      vm,
      begin: () => call('PowerOffVM_Task', { _this: vm }),
    });
    expect(op.status).toBe('running');
    expect(op.task).toBe(op.id);

    const r1 = await get(`/v1/operations/${op.id}`);
    expect(r1.status).toBe(200);
    const running = (await r1.json()) as any;
    expect(running).toMatchObject({ id: op.id, kind: 'domain.destroy', status: 'running', target: { name: 'ha-host_VM0' } });

    // A second task on the same VM is refused while this one runs, and is never started.
    const begin = vitest.fn(() => call('PowerOnVM_Task', { _this: vm }));
    await expect(gw.app.drivers.operations.start({ kind: 'domain.start', target: { type: 'domain' }, vm, begin })).rejects.toMatchObject({
      code: 'operation-invalid',
      status: 409,
    });
    expect(begin).not.toHaveBeenCalled();

    const r2 = await get(`/v1/operations/${op.id}/wait?timeout=30`);
    expect(r2.status).toBe(200);
    const done = await r2.json();
    expect(done).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(await powerState(gw.app, vm)).toBe('poweredOff');

    const list = (await (await get(`/v1/operations?target=${vm.value}&status=succeeded`)).json()) as any;
    expect(list.items.map((o: { id: string }) => o.id)).toContain(op.id);
    const none = (await (await get(`/v1/operations?target=${vm.value}&status=failed`)).json()) as any;
    expect(none.items).toEqual([]);
    expect((await get('/v1/operations?status=bogus')).status).toBe(400);
  });

  it('saw intermediate progress of the delayed task on the event bus', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    const seen: number[] = [];
    const off = gw.app.drivers.events.subscribe((e) => {
      if (e.type === 'operation' && (e.data as { target?: { moref?: string } }).target?.moref === vm.value) seen.push(Number(e.data.progress));
    });
    const op = await gw.app.drivers.operations.start({
      kind: 'domain.suspend',
      target: { type: 'domain', moref: vm.value },
      vm,
      begin: () => call('SuspendVM_Task', { _this: vm }),
    });
    const done = await gw.app.drivers.operations.wait(op.id, 30_000);
    off();
    expect(done.status).toBe('succeeded');
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen[seen.length - 1]).toBe(100);
  });

  it('cancels a cancelable task; refuses to cancel a non-cancelable one with 409', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM2');
    const op = await gw.app.drivers.operations.start({
      kind: 'domain.destroy',
      target: { type: 'domain', moref: vm.value },
      vm,
      begin: () => call('PowerOffVM_Task', { _this: vm }),
    });
    const del = await get(`/v1/operations/${op.id}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    expect(del.headers.get('location')).toBe(`/v1/operations/${op.id}`);
    const after = (await (await get(`/v1/operations/${op.id}/wait?timeout=30`)).json()) as any;
    expect(after.status).toBe('cancelled');
    expect(after.error).toMatchObject({ fault: 'RequestCanceled' });
    expect(await powerState(gw.app, vm)).toBe('poweredOn');
    // Cancelling a finished operation is a 409 too.
    const again = await get(`/v1/operations/${op.id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);

    // PowerOnVM_Task is not cancelable (as on ESX): VM0 was powered off above.
    const vm0 = await vmByName(gw.app, 'ha-host_VM0');
    const on = await gw.app.drivers.operations.start({
      kind: 'domain.start',
      target: { type: 'domain', moref: vm0.value },
      vm: vm0,
      begin: () => call('PowerOnVM_Task', { _this: vm0 }),
    });
    // Wait until the update loop has seen the task's info (cancelable=false) or not: both paths give 409.
    const res = await get(`/v1/operations/${on.id}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as any;
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(body.detail).toMatch(/cannot be cancelled/);
    expect((await (await get(`/v1/operations/${on.id}/wait?timeout=30`)).json() as any).status).toBe('succeeded');
  });

  it('answers for a task this instance did not start, and 404 for unknown ids', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    const task = await call('PowerOnVM_Task', { _this: vm }); // resumes the suspended VM, outside the operations driver
    const r = await get(`/v1/operations/${task.value}`);
    expect(r.status).toBe(200);
    const op = (await r.json()) as any;
    expect(op).toMatchObject({ id: task.value, kind: 'domain.powerOn', target: { type: 'domain', moref: vm.value } });
    const done = (await (await get(`/v1/operations/${task.value}/wait?timeout=30`)).json()) as any;
    expect(done.status).toBe('succeeded');

    for (const id of ['task-999999', 'no such thing']) {
      const nf = await get(`/v1/operations/${encodeURIComponent(id)}`);
      expect(nf.status).toBe(404);
      expect(((await nf.json() as any) as any).code).toBe('no-operation');
    }
  });

  it('refuses a start on a VM that does not exist', async () => {
    const begin = vitest.fn(() => call('PowerOnVM_Task', { _this: { type: 'VirtualMachine', value: 'vm-424242' } }));
    await expect(
      gw.app.drivers.operations.start({ kind: 'domain.start', target: { type: 'domain' }, vm: { type: 'VirtualMachine', value: 'vm-424242' }, begin }),
    ).rejects.toMatchObject({ code: 'no-domain' });
    expect(begin).not.toHaveBeenCalled();
  });
});
