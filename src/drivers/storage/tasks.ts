// Runs a vSphere task to completion for work the API answers synchronously (datastore searches,
// the temporary-file move of an upload). It goes through the operations registry (so the task is
// visible as an operation like any other) when one is given; without one it reads the task's
// `info` itself - the registry is optional so the drivers work before it is wired in.
import { ViFault } from '../../vi/errors.js';
import type { MoRef } from '../../vi/soap/encode.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, type ErrorCode, ERROR_CODES, fromVi, mapVi } from '../errors.js';
import type { OperationTarget, Operations } from '../operations/types.js';

export interface TaskRun {
  kind: string;
  target: OperationTarget;
  begin: () => Promise<MoRef>;
  signal?: AbortSignal;
  /** Driver-specific fault mapping (e.g. FileNotFound -> no-storage-vol). */
  faults?: Partial<Record<string, [ErrorCode, string]>>;
}

/** Resolves with the task's result; throws an ApiError when it fails. */
export type RunTask = (o: TaskRun) => Promise<unknown>;

export function taskRunner(conn: EsxConnection, ops?: () => Operations | undefined): RunTask {
  return async (o) => {
    const registry = ops?.();
    if (registry) return viaOperations(conn, registry, o);
    return viaTaskInfo(conn, o);
  };
}

async function viaOperations(conn: EsxConnection, ops: Operations, o: TaskRun): Promise<unknown> {
  let op = await ops.start({ kind: o.kind, target: o.target, begin: o.begin, signal: o.signal });
  while (op.status === 'running') op = await ops.wait(op.id, 60_000, o.signal);
  if (op.status === 'succeeded') {
    // The registry keeps small results only; a datastore search's result is read from the task.
    if (op.result !== undefined) return op.result;
    const task = { type: 'Task', value: op.task };
    return mapVi(async () => (await conn.vi.pc.object(task, ['info.result'], { signal: o.signal }))?.props['info.result']);
  }
  const err = op.error;
  if (err?.fault) {
    const mapped = fromVi(new ViFault(err.fault, err.detail), o.faults);
    if (mapped instanceof ApiError) throw mapped;
  }
  const code = (err?.code && err.code in ERROR_CODES ? err.code : 'operation-failed') as ErrorCode;
  throw new ApiError(code, err?.detail ?? `${o.kind} ended ${op.status}`, err?.fault ? { fault: err.fault } : {});
}

interface TaskInfo {
  state: 'queued' | 'running' | 'success' | 'error';
  result?: unknown;
  error?: { fault?: { _type?: string }; localizedMessage?: string };
}

async function viaTaskInfo(conn: EsxConnection, o: TaskRun): Promise<unknown> {
  try {
    const task = await o.begin();
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const info = (await conn.vi.pc.object(task, ['info'], { signal: o.signal }))?.props.info as TaskInfo | undefined;
      if (info?.state === 'success') return info.result;
      if (info?.state === 'error') {
        const fault = info.error?.fault?._type ?? 'SystemError';
        throw new ViFault(fault, info.error?.localizedMessage ?? '', (info.error?.fault ?? {}) as Record<string, unknown>);
      }
      await new Promise((r) => setTimeout(r, delay));
      o.signal?.throwIfAborted();
    }
  } catch (e) {
    throw fromVi(e, o.faults);
  }
}
