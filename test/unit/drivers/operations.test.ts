// Pure parts of operations and events: the event ring buffer (replay after Last-Event-ID, gap
// detection, wrap-around), question choice mapping, task -> operation mapping, task identity
// after a restart, and the registry's notion of "active".
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/drivers/events.js';
import { OperationRegistry } from '../../../src/drivers/operations/registry.js';
import {
  OPERATION_ID_RE,
  describeChoices,
  errorOf,
  kindOf,
  operationFromTask,
  progressOf,
  questionOf,
  resultOf,
  sameTask,
  statusOf,
  targetOf,
} from '../../../src/drivers/operations/task-info.js';
import type { Operation } from '../../../src/drivers/operations/types.js';

describe('EventBus ring buffer', () => {
  it('replays everything after Last-Event-ID while it is buffered', () => {
    const bus = new EventBus(5);
    for (let i = 1; i <= 4; i++) bus.publish('operation', { n: i });
    expect(bus.lastId).toBe(4);
    expect(bus.since(0)).toEqual({ events: expect.any(Array), complete: true });
    expect(bus.since(0).events.map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    expect(bus.since(2).events.map((e) => e.id)).toEqual([3, 4]);
    expect(bus.since(4)).toEqual({ events: [], complete: true });
  });

  it('keeps the newest `capacity` events in order across wrap-around and reports a gap', () => {
    const bus = new EventBus(3);
    for (let i = 1; i <= 8; i++) bus.publish(i % 2 ? 'lifecycle' : 'question', { n: i });
    const all = bus.since(0);
    expect(all.events.map((e) => e.id)).toEqual([6, 7, 8]);
    expect(all.complete).toBe(false); // 1..5 are gone
    expect(bus.since(4).complete).toBe(false); // 5 is gone
    expect(bus.since(5)).toMatchObject({ complete: true });
    expect(bus.since(5).events.map((e) => e.id)).toEqual([6, 7, 8]);
    // An id from the future (another gateway, a restart) replays nothing and is no gap.
    expect(bus.since(99)).toEqual({ events: [], complete: true });
  });

  it('counts clients and the bytes queued for them; close tells every subscriber once', () => {
    const bus = new EventBus();
    let queued = 10;
    const reasons: string[] = [];
    const off = bus.subscribe(() => {}, (r) => reasons.push(r), () => queued);
    bus.subscribe(() => {}, (r) => reasons.push(r));
    expect(bus.stats()).toEqual({ clients: 2, queuedBytes: 10 });
    queued = 20;
    expect(bus.stats().queuedBytes).toBe(20);
    off();
    expect(bus.stats()).toEqual({ clients: 1, queuedBytes: 0 });
    bus.close('bye');
    bus.close('again');
    expect(reasons).toEqual(['bye']);
    expect(bus.stats().clients).toBe(0);
  });

  it('a throwing subscriber does not stop the others', () => {
    const bus = new EventBus();
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('broken');
    });
    bus.subscribe((e) => got.push(e.id));
    bus.publish('operation', {});
    expect(got).toEqual([1]);
  });
});

describe('questions', () => {
  const info = {
    id: '_vmx1',
    text: 'Did you move or copy it?',
    choice: { choiceInfo: [{ key: '0', label: 'Cancel' }, { key: '1', label: 'I moved it' }, { key: '2', summary: 'I copied it' }], defaultIndex: 2 },
  };

  it('maps choices, labels (or summaries) and the default index to a key', () => {
    const q = questionOf(info)!;
    expect(q).toEqual({
      id: '_vmx1',
      text: 'Did you move or copy it?',
      choices: [
        { key: '0', label: 'Cancel' },
        { key: '1', label: 'I moved it' },
        { key: '2', label: 'I copied it' },
      ],
      default: '2',
    });
    expect(describeChoices(q)).toBe('0 (Cancel), 1 (I moved it), 2 (I copied it)');
  });

  it('has no default when defaultIndex is absent or out of range; accepts it as a string', () => {
    expect(questionOf({ ...info, choice: { ...info.choice, defaultIndex: undefined } })!.default).toBeNull();
    expect(questionOf({ ...info, choice: { ...info.choice, defaultIndex: 7 } })!.default).toBeNull();
    expect(questionOf({ ...info, choice: { ...info.choice, defaultIndex: '1' } })!.default).toBe('1');
  });

  it('takes the text from the messages when there is none; no id means no question', () => {
    expect(questionOf({ id: 'q', message: [{ text: 'line 1' }, { text: 'line 2' }] })).toMatchObject({ text: 'line 1\nline 2', choices: [], default: null });
    expect(questionOf({ text: 'no id' })).toBeNull();
    expect(questionOf(undefined)).toBeNull();
  });
});

describe('tasks -> operations', () => {
  const vm = { type: 'VirtualMachine', value: 'vm-7' };

  it('maps task states (a RequestCanceled error is a cancellation) and progress', () => {
    expect(statusOf({ state: 'queued' })).toBe('running');
    expect(statusOf({ state: 'running' })).toBe('running');
    expect(statusOf({ state: 'success' })).toBe('succeeded');
    expect(statusOf({ state: 'error', error: { fault: { _type: 'InvalidPowerState' } } })).toBe('failed');
    expect(statusOf({ state: 'error', error: { fault: { _type: 'RequestCanceled' } } })).toBe('cancelled');
    expect(statusOf({ state: 'error', cancelled: true })).toBe('cancelled');
    expect(progressOf({ progress: 42.6 }, 'running')).toBe(43);
    expect(progressOf({ progress: 150 }, 'running')).toBe(100);
    expect(progressOf({}, 'succeeded')).toBe(100);
  });

  it('maps faults to the HTTP error codes and keeps the message', () => {
    expect(errorOf({ state: 'success' })).toBeUndefined();
    expect(errorOf({ state: 'error', error: { fault: { _type: 'InvalidPowerState' }, localizedMessage: 'off' } })).toEqual({ code: 'operation-invalid', detail: 'off', fault: 'InvalidPowerState' });
    expect(errorOf({ state: 'error' })).toMatchObject({ fault: 'SystemError' });
  });

  it('keeps MoRef and scalar results, drops big objects', () => {
    expect(resultOf({ result: { type: 'VirtualMachine', value: 'vm-9', extra: 1 } })).toEqual({ type: 'VirtualMachine', value: 'vm-9' });
    expect(resultOf({ result: { $type: 'xsd:string', $value: '[ds] a.png' } })).toBe('[ds] a.png');
    expect(resultOf({ result: 'x' })).toBe('x');
    expect(resultOf({ result: { files: [] } })).toBeUndefined();
  });

  it('builds a whole operation for a task this gateway did not start; ids are task MoRef values', () => {
    const op = operationFromTask('haTask-2-vim.VirtualMachine.powerOn-123', {
      descriptionId: 'VirtualMachine.powerOn',
      entity: vm,
      entityName: 'web',
      state: 'success',
      queueTime: '2024-01-01T00:00:00Z',
      completeTime: '2024-01-01T00:00:05Z',
    });
    expect(op).toMatchObject({ id: 'haTask-2-vim.VirtualMachine.powerOn-123', kind: 'domain.powerOn', target: { type: 'domain', name: 'web', moref: 'vm-7' }, status: 'succeeded', progress: 100 });
    expect(op.createdAt).toBe('2024-01-01T00:00:00.000Z');
    expect(op.updatedAt).toBe('2024-01-01T00:00:05.000Z');
    expect(kindOf({ name: 'CreateVM_Task' })).toBe('task.CreateVM_Task');
    expect(targetOf({ entity: { type: 'Datastore', value: 'ds-1' } })).toEqual({ type: 'storage-pool', moref: 'ds-1' });
    for (const id of ['task-12', 'haTask-2-vim.VirtualMachine.powerOn-123', 'vim.Task:session52']) expect(OPERATION_ID_RE.test(id)).toBe(true);
    for (const id of ['', '../x', 'a b', '-x', 'x'.repeat(201)]) expect(OPERATION_ID_RE.test(id)).toBe(false);
  });

  it('tells a task id reused after an ESX restart from the task the gateway watched', () => {
    const first = { entity: vm, queueTime: '2024-01-01T00:00:00Z', state: 'running' as const };
    expect(sameTask(first, { ...first, state: 'success' })).toBe(true);
    expect(sameTask(first, { ...first, queueTime: '2024-01-01T00:09:00Z' })).toBe(false);
    expect(sameTask(first, { ...first, entity: { type: 'VirtualMachine', value: 'vm-8' } })).toBe(false);
    expect(sameTask(undefined, first)).toBe(true);
    expect(sameTask(first, { state: 'success' })).toBe(true); // partial update: nothing to compare
  });
});

describe('OperationRegistry', () => {
  const op = (id: string, status: Operation['status']): Operation => ({ id, kind: 'k', target: { type: 'domain', name: 'd' }, status, progress: 0, task: id, createdAt: '', updatedAt: '' });

  it('an operation whose task was seen complete is no longer active on its VM', () => {
    const reg = new OperationRegistry();
    const vm = { type: 'VirtualMachine', value: 'vm-1' };
    const a = reg.add({ op: op('task-1', 'running'), vm, autoAnswer: false, waiters: new Set() });
    reg.add({ op: op('task-2', 'blocked'), vm, autoAnswer: false, waiters: new Set() });
    expect(reg.activeOn('vm-1').map((e) => e.op.id)).toEqual(['task-1', 'task-2']);
    expect(reg.sawComplete('task-1')).toBe(false);
    a.finishing = true;
    expect(reg.activeOn('vm-1').map((e) => e.op.id)).toEqual(['task-2']);
    expect(reg.sawComplete('task-1')).toBe(true);
    expect(reg.sawComplete('task-unknown')).toBe(false);
  });

  it('keeps finished operations for the retention time, then forgets them', () => {
    const reg = new OperationRegistry(1000);
    const e = reg.add({ op: op('task-3', 'succeeded'), autoAnswer: false, waiters: new Set() });
    reg.notify(e);
    expect(reg.get('task-3')).toBeDefined();
    e.finishedAt = Date.now() - 2000;
    expect(reg.get('task-3')).toBeUndefined();
  });
});
