// VM questions (libvirt's auto_answer) against the simulator's question extension: before a task
// starts and while it runs, both modes, and answering over the API.
import { afterAll, beforeAll, describe, expect, it, vi as vitest } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { powerState, runTask, setExtra, vmByName } from './helpers.js';

let sim: Sim;
let gw: Gateway;
const QUESTION = { 'esxsim.question': 'Did you move or copy it?', 'esxsim.question.choices': '0:Cancel,1:I moved it,2:I copied it', 'esxsim.question.default': '2' };

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 3 });
  gw = await startGateway(sim); // auto_answer defaults to 0
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

const call = (m: string, p: Record<string, unknown>) => gw.app.drivers.conn.vi.call<MoRef>(m, p);
const fetchJson = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${gw.url}${path}`, init);
  return { status: r.status, body: (await r.json()) as any };
};
const startOn = (vm: MoRef, autoAnswer?: boolean) =>
  gw.app.drivers.operations.start({ kind: 'domain.start', target: { type: 'domain', moref: vm.value }, vm, autoAnswer, begin: () => call('PowerOnVM_Task', { _this: vm }) });

describe('questions while a task runs', () => {
  it('auto_answer=0 blocks the operation with the question; a client answers it over the API', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM0');
    expect((await runTask(gw.app, 'PowerOffVM_Task', { _this: vm })).status).toBe('succeeded');
    expect((await setExtra(gw.app, vm, QUESTION)).status).toBe('succeeded');

    const op = await startOn(vm);
    const blocked = (await fetchJson(`/v1/operations/${op.id}/wait?timeout=20`)).body;
    expect(blocked.status).toBe('blocked');
    expect(blocked.question).toMatchObject({ text: 'Did you move or copy it?', default: '2' });
    expect(blocked.question.choices.map((c: { key: string }) => c.key)).toEqual(['0', '1', '2']);
    // Power-on is not cancelable: the question stays, cancel says so.
    const cancel = await fetchJson(`/v1/operations/${op.id}`, { method: 'DELETE' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.detail).toMatch(/cannot be cancelled/);

    const bad = await fetchJson(`/v1/operations/${op.id}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choice: '9' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/I moved it/);

    const ans = await fetchJson(`/v1/operations/${op.id}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choice: '1' }) });
    expect(ans.status).toBe(200);
    const done = (await fetchJson(`/v1/operations/${op.id}/wait?timeout=20`)).body;
    expect(done.status).toBe('succeeded');
    expect(await powerState(gw.app, vm)).toBe('poweredOn');
    const again = await fetchJson(`/v1/operations/${op.id}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choice: '1' }) });
    expect(again.status).toBe(409);
  });

  it('auto_answer=1 answers the default choice and the task completes', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    expect((await runTask(gw.app, 'PowerOffVM_Task', { _this: vm })).status).toBe('succeeded');
    expect((await setExtra(gw.app, vm, QUESTION)).status).toBe('succeeded');
    const answered: unknown[] = [];
    const off = gw.app.drivers.events.subscribe((e) => {
      if (e.type === 'question' && e.data.answered !== undefined) answered.push(e.data);
    });
    const op = await startOn(vm, true);
    const done = await gw.app.drivers.operations.wait(op.id, 20_000);
    off();
    expect(done.status).toBe('succeeded');
    expect(answered).toContainEqual(expect.objectContaining({ operation: op.id, answered: '2', by: 'auto_answer' }));
    expect(await powerState(gw.app, vm)).toBe('poweredOn');
  });
});

describe('questions before a task starts', () => {
  it('auto_answer=0 reports a pending question as 409 and starts nothing; auto_answer=1 answers it and starts', async () => {
    // VM1 is powered on and asks at once when reconfigured with a question.
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    expect((await setExtra(gw.app, vm, { 'esxsim.question': 'Continue?' })).status).toBe('succeeded');
    const begin = vitest.fn(() => call('SuspendVM_Task', { _this: vm }));
    const err = await gw.app.drivers.operations
      .start({ kind: 'domain.suspend', target: { type: 'domain' }, vm, autoAnswer: false, begin })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'question-pending', status: 409 });
    expect((err as { extra: { question: { text: string } } }).extra.question.text).toBe('Continue?');
    expect(begin).not.toHaveBeenCalled();

    const op = await gw.app.drivers.operations.start({ kind: 'domain.suspend', target: { type: 'domain' }, vm, autoAnswer: true, begin });
    expect(begin).toHaveBeenCalledTimes(1);
    expect((await gw.app.drivers.operations.wait(op.id, 20_000)).status).toBe('succeeded');
    expect((await gw.app.drivers.conn.vi.pc.object(vm, ['runtime.question']))?.props['runtime.question']).toBeUndefined();
  });

  it('a question that blocks another client’s task: answered with auto_answer=1, then refused because that task still runs', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM2');
    expect((await runTask(gw.app, 'PowerOffVM_Task', { _this: vm })).status).toBe('succeeded');
    expect((await setExtra(gw.app, vm, { ...QUESTION, 'esxsim.question.default': '1', 'esxsim.question.cancel': '1' })).status).toBe('succeeded');
    const outside = await call('PowerOnVM_Task', { _this: vm }); // blocked by the question, running
    const begin = vitest.fn(() => call('PowerOnVM_Task', { _this: vm }));
    await expect(gw.app.drivers.operations.start({ kind: 'domain.start', target: { type: 'domain' }, vm, autoAnswer: true, begin })).rejects.toMatchObject({
      code: 'operation-invalid',
    });
    expect(begin).not.toHaveBeenCalled();
    // The default answer ("Cancel") was given: the other client's power-on ends cancelled.
    const other = await gw.app.drivers.operations.wait(outside.value, 20_000);
    expect(other.status).toBe('cancelled');
  });
});
