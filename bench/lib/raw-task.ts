// The raw baseline for task waits: what a vim25 client minimally does to learn that a task ended -
// CreateFilter on the task's info, then WaitForUpdatesEx until info.state is success or error.
// Filters and WaitForUpdatesEx are per session: the baseline session runs one waiter at a time.
import type { MoRef } from '../../src/vi/soap/encode.js';
import { type Raw, objectSpec, retrieve } from './raw.js';
import { parseDateTimeMs, wallNow } from './stats.js';

interface UpdateSet {
  version: string;
  truncated?: boolean;
  filterSet?: Array<{ filter: MoRef; objectSet?: Array<{ obj: MoRef; kind: string; changeSet?: Array<{ name: string; op: string; val?: unknown }> }> }>;
}

export interface TaskEnd {
  state: 'success' | 'error';
  /** Wall-clock ms when this client saw the end (sub-ms resolution). */
  seenAt: number;
  /** The task's info.completeTime on the server, as epoch ms. */
  completeTime: number;
}

/** Starts `method` (a *_Task) on `obj` and waits for its end with CreateFilter + WaitForUpdatesEx. */
export async function rawTaskAndWait(raw: Raw, method: string, obj: MoRef, timeoutS = 60): Promise<TaskEnd> {
  const task = await raw.vi.pool.invoke<MoRef>(raw.session, method, { _this: obj });
  return rawWaitTask(raw, task, timeoutS);
}

const pending: Array<Promise<unknown>> = [];

/** Waits for the DestroyFilter calls the waiters left running. */
export async function settleCleanup(): Promise<void> {
  await Promise.all(pending.splice(0));
}

export async function rawWaitTask(raw: Raw, task: MoRef, timeoutS = 60): Promise<TaskEnd> {
  const pc = raw.vi.serviceContent.propertyCollector;
  const inv = <T>(m: string, p: Record<string, unknown>) => raw.vi.pool.invoke<T>(raw.session, m, p);
  const filter = await inv<MoRef>('CreateFilter', {
    _this: pc,
    spec: { propSet: [{ type: 'Task', all: false, pathSet: ['info.state', 'info.completeTime'] }], objectSet: [{ obj: task, skip: false }] },
    partialUpdates: false,
  });
  const props: Record<string, unknown> = {};
  let version = '';
  const deadline = Date.now() + timeoutS * 1000;
  try {
    for (;;) {
      const us = await inv<UpdateSet | undefined>('WaitForUpdatesEx', { _this: pc, version, options: { maxWaitSeconds: 10 } });
      if (us) {
        version = us.version;
        for (const fs of us.filterSet ?? []) {
          if (fs.filter.value !== filter.value) continue;
          for (const ou of fs.objectSet ?? []) for (const c of ou.changeSet ?? []) props[c.name] = c.val;
        }
        const state = props['info.state'];
        if (state === 'success' || state === 'error') {
          const seenAt = wallNow();
          return { state, seenAt, completeTime: parseDateTimeMs(String(props['info.completeTime'] ?? '')) };
        }
      }
      if (Date.now() > deadline) throw new Error(`task ${task.value} did not end within ${timeoutS} s`);
    }
  } finally {
    // Not part of what is timed: the caller has its answer before this round trip (settled by
    // settleCleanup() between timed runs).
    pending.push(inv('DestroyFilter', { _this: filter }).catch(() => {}));
  }
}

/** Power state of a VM, read directly. */
export async function powerState(raw: Raw, vm: MoRef): Promise<string> {
  const [o] = await retrieve(raw, objectSpec(vm, ['runtime.powerState']));
  return String(o?.propSet?.[0]?.val ?? '');
}

/** Powers the VM off (raw, untimed) unless it is off already. */
export async function ensureOff(raw: Raw, vm: MoRef): Promise<void> {
  if ((await powerState(raw, vm)) === 'poweredOff') return;
  const end = await rawTaskAndWait(raw, 'PowerOffVM_Task', vm);
  if (end.state !== 'success') throw new Error(`PowerOffVM_Task on ${vm.value} failed`);
}

/** info.completeTime of a task as epoch ms (read directly). */
export async function completeTimeOf(raw: Raw, task: MoRef): Promise<number> {
  const [o] = await retrieve(raw, objectSpec(task, ['info.completeTime']));
  return parseDateTimeMs(String(o?.propSet?.[0]?.val ?? ''));
}
