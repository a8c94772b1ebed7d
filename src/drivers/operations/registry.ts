// In-memory operations of this gateway instance: current state, waiters, and retention (finished
// operations stay readable for `retainMs`, at least 10 minutes; the count is bounded).
import type { MoRef } from '../../vi/soap/encode.js';
import { isFinished } from './task-info.js';
import type { Operation, OperationStatus } from './types.js';

export interface Entry {
  op: Operation;
  /** The VM the task acts on (questions are watched there). */
  vm?: MoRef;
  autoAnswer: boolean;
  cancelable?: boolean;
  finishedAt?: number;
  /** The task was seen complete; the operation reports it once the mirror has re-read the VM. */
  finishing?: boolean;
  /** Run by the gateway to answer a read: not listed (see StartTaskOptions.internal). */
  internal?: boolean;
  /** Loop round in which the task was seen finished (read-your-writes). */
  round?: number;
  waiters: Set<() => void>;
  /** Stops watching the task and the VM. */
  stop?: () => void;
}

export interface ListFilter {
  target?: string;
  status?: OperationStatus;
  limit?: number;
}

export class OperationRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly retainMs = 15 * 60_000,
    readonly maxEntries = 5000,
  ) {}

  get(id: string): Entry | undefined {
    this.prune();
    return this.entries.get(id);
  }

  add(e: Entry): Entry {
    this.prune();
    const had = this.entries.get(e.op.id);
    if (had) return had;
    this.entries.set(e.op.id, e);
    return e;
  }

  /** Wakes waiters (after a state change). */
  notify(e: Entry): void {
    if (isFinished(e.op.status) && e.finishedAt === undefined) e.finishedAt = Date.now();
    for (const w of [...e.waiters]) w();
  }

  /** Running or blocked operations on a VM (one whose task was already seen complete is not). */
  activeOn(vm: string): Entry[] {
    return [...this.entries.values()].filter((e) => e.vm?.value === vm && !isFinished(e.op.status) && !e.finishing);
  }

  /** This gateway saw the task complete (finished, or being reported as finished). */
  sawComplete(task: string): boolean {
    const e = this.entries.get(task);
    return !!e && (e.finishing === true || isFinished(e.op.status));
  }

  /** Newest first. `target` matches the target's name, uuid or moref. */
  list(f: ListFilter = {}): Operation[] {
    this.prune();
    const out: Operation[] = [];
    const all = [...this.entries.values()].reverse();
    for (const e of all) {
      if (e.internal) continue;
      const t = e.op.target;
      if (f.status && e.op.status !== f.status) continue;
      if (f.target && t.name !== f.target && t.uuid !== f.target && t.moref !== f.target) continue;
      out.push(e.op);
      if (f.limit && out.length >= f.limit) break;
    }
    return out;
  }

  all(): Entry[] {
    return [...this.entries.values()];
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, e] of this.entries) {
      if (e.finishedAt !== undefined && now - e.finishedAt > this.retainMs) this.entries.delete(id);
    }
    if (this.entries.size <= this.maxEntries) return;
    // Too many: drop the oldest finished ones (running ones are never dropped).
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (e.finishedAt !== undefined) this.entries.delete(id);
    }
  }
}
