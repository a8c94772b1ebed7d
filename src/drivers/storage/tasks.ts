// Runs a vSphere task to completion for work the API answers synchronously (datastore searches,
// the temporary-file move of an upload), through the operations registry: the task is watched and
// visible as an operation like any other, and only its (large) result is read here.
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
  /** A search run to answer a read: not listed as an operation (StartTaskOptions.internal). */
  internal?: boolean;
}

/** Resolves with the task's result; throws an ApiError when it fails. */
export type RunTask = (o: TaskRun) => Promise<unknown>;

/** `ops` is read lazily: the registry may be created after the storage driver. */
export function taskRunner(conn: EsxConnection, ops: () => Operations): RunTask {
  return (o) => viaOperations(conn, ops(), o);
}

async function viaOperations(conn: EsxConnection, ops: Operations, o: TaskRun): Promise<unknown> {
  let op;
  try {
    op = await ops.start({ kind: o.kind, target: o.target, begin: o.begin, signal: o.signal, internal: o.internal });
  } catch (e) {
    // A fault from starting the task, named for this driver (FileNotFound -> no-storage-vol).
    const fault = e instanceof ApiError ? e.extra.fault : undefined;
    if (fault && o.faults) {
      const mapped = fromVi(new ViFault(fault, e instanceof Error ? e.message : ''), o.faults);
      if (mapped instanceof ApiError) throw mapped;
    }
    throw fromVi(e, o.faults);
  }
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
