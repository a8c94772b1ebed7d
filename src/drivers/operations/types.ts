// The contract between drivers that start vSphere tasks and the operations registry / task poller
// (src/drivers/operations/, src/vi/update-loop.ts). Every *_Task is an operation (API.md).
import type { MoRef } from '../../vi/soap/encode.js';

export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'blocked';

export interface QuestionChoice {
  key: string;
  label: string;
}

/** A VM question (runtime.question) that holds a task. */
export interface Question {
  id: string;
  text: string;
  choices: QuestionChoice[];
  /** Key of the default choice. */
  default: string | null;
}

export interface OperationTarget {
  type: 'domain' | 'network' | 'storage-pool' | 'volume' | 'host' | 'snapshot';
  /** libvirt-style name (domain name, pool name, "[ds] path" for volumes). */
  name?: string;
  uuid?: string;
  /** vSphere managed object id of the target. */
  moref?: string;
}

export interface Operation {
  /** Derived from the vSphere task, so any gateway instance can answer for it. */
  id: string;
  /** What was asked, e.g. "domain.start", "volume.create". */
  kind: string;
  target: OperationTarget;
  status: OperationStatus;
  /** 0-100 */
  progress: number;
  question?: Question;
  error?: { code: string; detail: string; fault?: string };
  /** The task's result, decoded (e.g. the new VM's MoRef), when it has one. */
  result?: unknown;
  /** vSphere task MoRef value. */
  task: string;
  createdAt: string;
  updatedAt: string;
}

export interface StartTaskOptions {
  kind: string;
  target: OperationTarget;
  /** The VM the task acts on: checked before start for a pending question or a running task. */
  vm?: MoRef;
  /** Overrides the connection's auto_answer for this request. */
  autoAnswer?: boolean;
  signal?: AbortSignal;
  /** Starts the vSphere task (e.g. PowerOnVM_Task) and returns its MoRef. */
  begin: () => Promise<MoRef>;
  /**
   * A task the gateway runs to answer a read (a datastore search): watched like any other, but not
   * listed in GET /v1/operations nor published as events.
   */
  internal?: boolean;
}

export interface Operations {
  /** Checks preconditions (auto_answer semantics), starts the task, registers and watches it. */
  start(o: StartTaskOptions): Promise<Operation>;
  /** Throws ApiError no-operation for an unknown id. */
  get(id: string, signal?: AbortSignal): Promise<Operation>;
  /** Resolves when the operation is finished (or blocked), or after timeoutMs with its current state. */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation>;
}
