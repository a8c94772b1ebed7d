// Pure conversions between vSphere task/question objects and the operation model (no I/O).
import type { MoRef } from '../../vi/soap/encode.js';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { fromVi } from '../errors.js';
import { ViFault } from '../../vi/errors.js';
import type { Operation, OperationStatus, OperationTarget, Question } from './types.js';

/** The parts of vim25 TaskInfo the gateway reads. */
export interface TaskInfo {
  key?: string;
  task?: MoRef;
  name?: string;
  descriptionId?: string;
  entity?: MoRef;
  entityName?: string;
  state?: 'queued' | 'running' | 'success' | 'error';
  cancelled?: boolean;
  cancelable?: boolean;
  cancelRequested?: boolean;
  error?: { fault?: { _type?: string; [k: string]: unknown }; localizedMessage?: string };
  result?: unknown;
  progress?: number;
  queueTime?: string;
  startTime?: string;
  completeTime?: string;
}

export interface QuestionInfo {
  id?: string;
  text?: string;
  choice?: { choiceInfo?: Array<{ key?: string; label?: string; summary?: string }>; defaultIndex?: number | string };
  message?: Array<{ id?: string; text?: string }>;
}

/** Operation ids are vSphere task MoRef values ("task-12", "haTask-2-vim.VirtualMachine.powerOn-123"). */
export const OPERATION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export const taskRef = (id: string): MoRef => ({ type: 'Task', value: id });

export const isFinished = (s: OperationStatus): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';

/** TaskInfo.state (+ the fault) -> operation status. A RequestCanceled error is a cancellation. */
export function statusOf(info: TaskInfo): OperationStatus {
  switch (info.state) {
    case 'success':
      return 'succeeded';
    case 'error':
      return info.cancelled || info.error?.fault?._type === 'RequestCanceled' ? 'cancelled' : 'failed';
    default:
      return 'running';
  }
}

/** The task's fault as an operation error, with the same codes the HTTP errors use. */
export function errorOf(info: TaskInfo): Operation['error'] | undefined {
  if (info.state !== 'error') return undefined;
  const fault = info.error?.fault?._type ?? 'SystemError';
  const detail = info.error?.localizedMessage || `the task failed with fault ${fault}`;
  const mapped = fromVi(new ViFault(fault, detail)) as { code?: string };
  const code = (mapped.code && mapped.code in ERROR_CODES ? mapped.code : 'operation-failed') as ErrorCode;
  return { code, detail, fault };
}

/** Results worth showing: MoRefs (a new VM, a snapshot) and scalars; big objects are left out. */
export function resultOf(info: TaskInfo): unknown {
  const r = info.result;
  if (r === undefined || r === null) return undefined;
  if (typeof r !== 'object') return r;
  const o = r as Record<string, unknown>;
  if (typeof o.type === 'string' && typeof o.value === 'string') return { type: o.type, value: o.value };
  if ('$value' in o) return o.$value;
  return undefined;
}

/** "VirtualMachine.powerOn" -> "domain.powerOn": the kind of an operation this instance did not start. */
export function kindOf(info: TaskInfo): string {
  const id = info.descriptionId ?? info.name ?? 'task';
  const [type, ...rest] = id.split('.');
  const prefix = type === 'VirtualMachine' ? 'domain' : type === 'Datastore' ? 'storage-pool' : type === 'HostSystem' ? 'host' : type ? type.toLowerCase() : 'task';
  return rest.length ? `${prefix}.${rest.join('.')}` : `task.${id}`;
}

export function targetOf(info: TaskInfo): OperationTarget {
  const e = info.entity;
  const type: OperationTarget['type'] =
    e?.type === 'VirtualMachine' ? 'domain' : e?.type === 'Datastore' ? 'storage-pool' : e?.type === 'HostSystem' ? 'host' : e?.type === 'Network' ? 'network' : 'host';
  return { type, ...(info.entityName ? { name: info.entityName } : {}), ...(e ? { moref: e.value } : {}) };
}

const iso = (v: unknown): string | undefined => (typeof v === 'string' && v ? new Date(v).toISOString() : v instanceof Date ? v.toISOString() : undefined);

/** A whole operation from a TaskInfo (GET of a task this instance did not start). */
export function operationFromTask(id: string, info: TaskInfo): Operation {
  const status = statusOf(info);
  const created = iso(info.queueTime) ?? iso(info.startTime) ?? new Date().toISOString();
  const op: Operation = {
    id,
    kind: kindOf(info),
    target: targetOf(info),
    status,
    progress: progressOf(info, status),
    task: id,
    createdAt: created,
    updatedAt: iso(info.completeTime) ?? iso(info.startTime) ?? created,
  };
  const err = errorOf(info);
  if (err) op.error = err;
  const res = resultOf(info);
  if (res !== undefined) op.result = res;
  return op;
}

export function progressOf(info: TaskInfo, status: OperationStatus): number {
  if (status === 'succeeded') return 100;
  const p = Number(info.progress ?? 0);
  return Number.isFinite(p) ? Math.max(0, Math.min(100, Math.round(p))) : 0;
}

/** runtime.question -> Question (null when there is none or it carries no id). */
export function questionOf(q: QuestionInfo | null | undefined): Question | null {
  if (!q || !q.id) return null;
  const choices = (q.choice?.choiceInfo ?? []).map((c) => ({ key: String(c.key ?? ''), label: String(c.label ?? c.summary ?? c.key ?? '') }));
  const di = q.choice?.defaultIndex;
  const idx = di === undefined || di === null ? -1 : Number(di);
  const def = idx >= 0 && idx < choices.length ? choices[idx]!.key : null;
  const text = q.text || (q.message ?? []).map((m) => m.text ?? '').filter(Boolean).join('\n');
  return { id: String(q.id), text, choices, default: def };
}

/** "key (label), ..." for error messages. */
export function describeChoices(q: Question): string {
  return q.choices.map((c) => `${c.key} (${c.label})`).join(', ');
}

const stamp = (v: unknown): string | undefined => iso(v) ?? (typeof v === 'number' ? new Date(v).toISOString() : undefined);

/**
 * False when `next` is another task than `prev` under the same id: task ids restart after an ESX
 * reboot ("task-12" is then some other task), so a re-read after a resync must match the entity
 * and queue time the gateway saw first.
 */
export function sameTask(prev: TaskInfo | undefined, next: TaskInfo | undefined): boolean {
  if (!prev || !next) return true;
  if (prev.entity && next.entity && (prev.entity.type !== next.entity.type || prev.entity.value !== next.entity.value)) return false;
  const a = stamp(prev.queueTime);
  const b = stamp(next.queueTime);
  return !a || !b || a === b;
}
