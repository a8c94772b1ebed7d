// The operations driver: every vSphere task the gateway starts is an operation, watched through the
// update loop (the task's `info` and the VM's `runtime.question`), with libvirt's auto_answer
// semantics (precheck.ts before start; here while it runs), answer and cancel beyond libvirt,
// and events on the bus. Operation ids are task MoRef values, so any instance can answer for them.
import { isFault } from '../../vi/errors.js';
import type { ObjectProps } from '../../vi/property-collector.js';
import type { MoRef } from '../../vi/soap/encode.js';
import type { ObjectUpdate, UpdateLoop, Watch } from '../../vi/update-loop.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, mapVi } from '../errors.js';
import type { EventBus } from '../events.js';
import { precheck } from './precheck.js';
import { type Entry, type ListFilter, OperationRegistry } from './registry.js';
import {
  OPERATION_ID_RE,
  type QuestionInfo,
  type TaskInfo,
  describeChoices,
  errorOf,
  isFinished,
  operationFromTask,
  progressOf,
  questionOf,
  resultOf,
  sameTask,
  statusOf,
  taskRef,
} from './task-info.js';
import type { Operation, Operations, Question, StartTaskOptions } from './types.js';

interface Tracked extends Entry {
  info?: TaskInfo;
  /** Question ids already answered or reported (each is handled once). */
  handled: Set<string>;
  /** Adopted from another gateway or client: observed, never auto-answered or cancelled. */
  foreign?: boolean;
}

export interface OperationsOptions {
  /** Runs before a finished operation is reported (the mirror refreshes the VM: read-your-writes). */
  onFinished?: (vm: MoRef | undefined, op: Operation) => Promise<void>;
  /** Called before the first operation starts (starts the mirror, so lifecycle events flow). */
  onStart?: () => void;
  log?: { warn(o: object, msg: string): void };
}

const snapshot = (op: Operation): Operation => structuredClone(op);

export class OperationsDriver implements Operations {
  readonly registry = new OperationRegistry();

  constructor(
    private readonly conn: EsxConnection,
    private readonly loop: UpdateLoop,
    private readonly bus: EventBus,
    private readonly opts: OperationsOptions = {},
  ) {}

  async start(o: StartTaskOptions): Promise<Operation> {
    this.opts.onStart?.();
    const autoAnswer = o.autoAnswer ?? this.conn.autoAnswer;
    if (o.vm) await precheck(this.conn, this.registry, this.bus, o.vm, autoAnswer, o.signal);
    const task = await mapVi(() => o.begin());
    const now = new Date().toISOString();
    const e: Tracked = {
      op: { id: task.value, kind: o.kind, target: o.target, status: 'running', progress: 0, task: task.value, createdAt: now, updatedAt: now },
      vm: o.vm,
      autoAnswer,
      internal: o.internal,
      waiters: new Set(),
      handled: new Set(),
    };
    const entry = this.registry.add(e) as Tracked;
    if (entry === e) {
      this.publish(e);
      this.track(e);
    }
    return snapshot(entry.op);
  }

  async get(id: string, signal?: AbortSignal): Promise<Operation> {
    return snapshot((await this.entry(id, signal)).op);
  }

  async wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation> {
    const e = await this.entry(id, signal);
    const settled = () => isFinished(e.op.status) || e.op.status === 'blocked';
    if (!settled() && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          if (!settled() && !signal?.aborted && !timedOut) return;
          clearTimeout(t);
          e.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        let timedOut = false;
        const t = setTimeout(() => {
          timedOut = true;
          done();
        }, timeoutMs);
        e.waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    return snapshot(e.op);
  }

  list(f: ListFilter = {}): Operation[] {
    return this.registry.list(f).map(snapshot);
  }

  /** Answers the question that blocks an operation (AnswerVM). */
  async answer(id: string, choice: string, signal?: AbortSignal): Promise<Operation> {
    const e = await this.entry(id, signal);
    const q = e.op.question;
    if (!q || e.op.status !== 'blocked' || !e.vm) {
      throw new ApiError('operation-invalid', `operation ${id} is ${e.op.status}, not waiting for an answer`);
    }
    if (!q.choices.some((c) => c.key === choice)) {
      throw new ApiError('invalid-arg', `"${choice}" is not an answer to "${q.text}"; possible answers: ${describeChoices(q)}`, { question: q });
    }
    await mapVi(() => this.conn.vi.call('AnswerVM', { _this: e.vm, questionId: q.id, answerChoice: choice }, { signal }), {
      ConcurrentAccess: ['operation-invalid', `the question "${q.text}" was already answered`],
    });
    this.bus.publish('question', { operation: id, target: e.op.target, question: q, answered: choice, by: 'client' });
    this.unblock(e);
    return snapshot(e.op);
  }

  /** Cancels the task (CancelTask); a task ESX cannot cancel is a 409 saying so. */
  async cancel(id: string, signal?: AbortSignal): Promise<Operation> {
    const e = await this.entry(id, signal);
    if (isFinished(e.op.status)) throw new ApiError('operation-invalid', `operation ${id} is already ${e.op.status}`);
    const name = e.info?.name ?? e.op.kind;
    const hint = e.op.status === 'blocked' ? '; answer its question instead (POST /v1/operations/{id}/answer)' : '';
    if (e.cancelable === false) throw new ApiError('operation-invalid', `the task of operation ${id} (${name}) cannot be cancelled${hint}`, { fault: 'NotSupported' });
    await mapVi(() => this.conn.vi.call('CancelTask', { _this: taskRef(e.op.task) }, { signal }), {
      NotSupported: ['operation-invalid', `the task of operation ${id} (${name}) cannot be cancelled${hint}`],
      InvalidState: ['operation-invalid', `operation ${id} has already finished`],
      ManagedObjectNotFound: ['no-operation', `no operation '${id}'`],
    });
    return snapshot(e.op);
  }

  /** Stops watching every operation (app close). */
  close(): void {
    for (const e of this.registry.all()) e.stop?.();
  }

  /** The entry of an id: ours, or a task read from ESX (adopted and watched while it runs). */
  private async entry(id: string, signal?: AbortSignal): Promise<Tracked> {
    const mine = this.registry.get(id) as Tracked | undefined;
    if (mine) return mine;
    if (!OPERATION_ID_RE.test(id)) throw new ApiError('no-operation', `no operation '${id}'`);
    const obj = await mapVi(
      async () => {
        await this.conn.scope(signal);
        return this.conn.vi.pc.object(taskRef(id), ['info'], { signal });
      },
      { ManagedObjectNotFound: ['no-operation', `no operation '${id}'`], InvalidArgument: ['no-operation', `no operation '${id}'`] },
    );
    const info = obj?.props.info as TaskInfo | undefined;
    if (!info) throw new ApiError('no-operation', `no operation '${id}'`);
    const op = operationFromTask(id, info);
    const vm = info.entity?.type === 'VirtualMachine' ? info.entity : undefined;
    const e: Tracked = { op, vm, autoAnswer: false, foreign: true, info, cancelable: info.cancelable, waiters: new Set(), handled: new Set() };
    if (isFinished(op.status)) e.finishedAt = Date.now();
    const entry = this.registry.add(e) as Tracked;
    if (entry === e && !isFinished(op.status)) this.track(e);
    return entry;
  }

  private track(e: Tracked): void {
    const watches: Array<Promise<Watch | undefined>> = [];
    let stopped = false;
    e.stop = () => {
      if (stopped) return;
      stopped = true;
      for (const w of watches) void w.then((x) => x?.close()).catch(() => {});
    };
    const onError = (err: unknown) => {
      this.opts.log?.warn({ err: (err as Error).message, operation: e.op.id }, 'cannot watch operation');
      return undefined;
    };
    const task = taskRef(e.op.task);
    // reportMissingObjectsInResults: a task or VM gone after an ESX restart must not fault the
    // loop's whole WaitForUpdatesEx (it would with false); onResync finds out what became of it.
    watches.push(
      this.loop
        .watch({
          spec: { propSet: [{ type: 'Task', all: false, pathSet: ['info'] }], objectSet: [{ obj: task, skip: false }], reportMissingObjectsInResults: true },
          onUpdate: (ups, round) => this.onTaskUpdate(e, ups, round),
          onResync: () => void this.recheck(e),
        })
        .catch(onError),
    );
    if (e.vm) {
      watches.push(
        this.loop
          .watch({
            spec: { propSet: [{ type: 'VirtualMachine', all: false, pathSet: ['runtime.question'] }], objectSet: [{ obj: e.vm, skip: false }], reportMissingObjectsInResults: true },
            onUpdate: (ups) => {
              for (const u of ups) {
                if (u.kind === 'leave') continue;
                const c = u.changeSet?.find((x) => x.name === 'runtime.question');
                if (c) this.onQuestion(e, c.op === 'remove' ? null : questionOf(c.val as QuestionInfo));
                else if (u.kind === 'enter') this.onQuestion(e, null);
              }
            },
          })
          .catch(onError),
      );
    }
  }

  private onTaskUpdate(e: Tracked, ups: ObjectUpdate[], round: number): void {
    for (const u of ups) {
      if (u.kind === 'leave') continue;
      let info = e.info ? { ...e.info } : ({} as TaskInfo);
      for (const c of u.changeSet ?? []) {
        if (c.name === 'info') info = (c.val as TaskInfo) ?? info;
        else if (c.name.startsWith('info.')) (info as Record<string, unknown>)[c.name.slice(5)] = c.op === 'remove' ? undefined : c.val;
      }
      if (!sameTask(e.info, info)) return this.lose(e, 'the task id now names another task');
      this.applyInfo(e, info, round);
    }
  }

  /** After a resync (session lost, ESX restarted): the task may have finished meanwhile, or be gone. */
  private async recheck(e: Tracked): Promise<void> {
    if (isFinished(e.op.status) || e.finishing) return;
    const ref = taskRef(e.op.task);
    let obj: ObjectProps | undefined;
    try {
      obj = await this.conn.vi.pc.object(ref, ['info']);
    } catch (err) {
      // Only ESX saying that this very task object does not exist means it vanished. Anything else
      // (ESX unreachable, the request session lost again, NotAuthenticated) proves nothing: a task
      // outlives the session that started it, and the re-created filter reports it when it can.
      const about = isFault(err, 'ManagedObjectNotFound') ? (err.detail.obj as MoRef | undefined) : undefined;
      if (!isFault(err, 'ManagedObjectNotFound') || (about?.value !== undefined && about.value !== ref.value)) {
        this.opts.log?.warn({ err: (err as Error).message, operation: e.op.id }, 'cannot re-read task after resync');
        return;
      }
      return this.lose(e, 'the task no longer exists');
    }
    if (!obj) return this.lose(e, 'the task no longer exists');
    const info = obj.props.info as TaskInfo | undefined;
    if (!info) {
      // The object exists but its info was not readable (missingSet): not a vanished task.
      this.opts.log?.warn({ missing: obj.missing, operation: e.op.id }, 'task info not readable after resync');
      return;
    }
    if (!sameTask(e.info, info)) return this.lose(e, 'the task id now names another task');
    this.applyInfo(e, info, this.loop.round);
  }

  /** The task vanished (ESX restarted, or it expired): the operation fails instead of running forever. */
  private lose(e: Tracked, why: string): void {
    if (isFinished(e.op.status) || e.finishing) return;
    const info: TaskInfo = {
      state: 'error',
      error: { fault: { _type: 'ManagedObjectNotFound' }, localizedMessage: `${why} (ESX restarted or dropped it); check the target's state before retrying` },
    };
    e.finishing = true;
    e.stop?.();
    void this.finish(e, info, 'failed', 'operation-failed');
  }

  private applyInfo(e: Tracked, info: TaskInfo, round: number): void {
    if (isFinished(e.op.status) || e.finishing) return; // terminal states are final
    e.info = info;
    if (info.cancelable !== undefined) e.cancelable = info.cancelable;
    const status = statusOf(info);
    if (isFinished(status)) {
      e.finishing = true;
      e.round = round;
      e.stop?.();
      void this.finish(e, info, status);
      return;
    }
    const progress = Math.max(e.op.progress, progressOf(info, status));
    if (progress !== e.op.progress) {
      e.op.progress = progress;
      e.op.updatedAt = new Date().toISOString();
      this.publish(e);
      this.registry.notify(e);
    }
  }

  private async finish(e: Tracked, info: TaskInfo, status: Operation['status'], code?: string): Promise<void> {
    const op = e.op;
    const err = errorOf(info);
    if (err && code) err.code = code;
    const res = resultOf(info);
    try {
      // Read-your-writes: the mirror re-reads the VM (and a VM the task created, its result)
      // before anyone hears the operation finished.
      if (this.opts.onFinished) {
        const final: Operation = { ...snapshot(op), status, ...(res !== undefined ? { result: res } : {}) };
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.opts.onFinished(e.vm, final).catch(() => {}),
          new Promise((r) => {
            timer = setTimeout(r, 2000);
            timer.unref();
          }),
        ]);
        clearTimeout(timer);
      }
    } finally {
      op.status = status;
      op.progress = progressOf(info, status);
      delete op.question;
      if (err) op.error = err;
      if (res !== undefined) op.result = res;
      op.updatedAt = new Date().toISOString();
      this.registry.notify(e);
      this.publish(e);
    }
  }

  private onQuestion(e: Tracked, q: Question | null): void {
    if (isFinished(e.op.status) || e.finishing) return;
    if (!q) {
      if (e.op.status === 'blocked') this.unblock(e);
      return;
    }
    if (e.handled.has(q.id)) return;
    e.handled.add(q.id);
    if (e.autoAnswer && !e.foreign && q.default !== null) {
      const answer = q.default;
      this.conn.vi
        .call('AnswerVM', { _this: e.vm, questionId: q.id, answerChoice: answer })
        .then(() => this.bus.publish('question', { operation: e.op.id, target: e.op.target, question: q, answered: answer, by: 'auto_answer' }))
        .catch((err) => {
          if (isFault(err, 'ConcurrentAccess')) return; // answered by someone else
          this.opts.log?.warn({ err: (err as Error).message, operation: e.op.id }, 'auto_answer failed');
          this.block(e, q);
        });
      return;
    }
    this.block(e, q);
  }

  /** auto_answer=0: report the question, and cancel the task when ESX allows it. */
  private block(e: Tracked, q: Question): void {
    e.op.status = 'blocked';
    e.op.question = q;
    e.op.updatedAt = new Date().toISOString();
    this.bus.publish('question', { operation: e.op.id, target: e.op.target, question: q });
    this.publish(e);
    this.registry.notify(e);
    if (!e.foreign && e.cancelable) {
      this.conn.vi.call('CancelTask', { _this: taskRef(e.op.task) }).catch(() => {});
    }
  }

  private unblock(e: Tracked): void {
    if (e.op.status !== 'blocked') return;
    e.op.status = 'running';
    delete e.op.question;
    e.op.updatedAt = new Date().toISOString();
    this.publish(e);
    this.registry.notify(e);
  }

  private publish(e: Entry): void {
    if (e.internal) return;
    this.bus.publish('operation', snapshot(e.op) as unknown as Record<string, unknown>);
  }
}
