// The update loop: ONE dedicated vSphere session per connection (a SessionPool of size 1, apart from
// the request pool so a long WaitForUpdatesEx never holds a request slot), with its own
// PropertyCollector and filters, driven by WaitForUpdatesEx. Subscribers ("watches") get the
// object updates of their filter. Session loss (NotAuthenticated, the collector gone) re-creates
// the collector and every filter and tells each watch to resync; transport errors (ESX restarted
// or unreachable) back off with a bounded delay and reconnect. Nothing here polls on a timer.
import { setTimeout as sleep } from 'node:timers/promises';
import { soapActionFor, type ViClient } from './client.js';
import { ViFault, ViTransportError, isFault } from './errors.js';
import { PropertyCollector } from './property-collector.js';
import { type Credentials, SessionPool } from './session-pool.js';
import type { MoRef } from './soap/encode.js';

/**
 * Objects per UpdateSet: the initial load of a large inventory (5000 VMs) arrives in truncated
 * sets of this size instead of one multi-megabyte response, bounding parse time and memory.
 */
const MAX_OBJECT_UPDATES = 500;

export interface PropertyChange {
  name: string;
  op: 'add' | 'remove' | 'assign' | 'indirectRemove';
  val?: unknown;
}

export interface ObjectUpdate {
  obj: MoRef;
  kind: 'enter' | 'modify' | 'leave';
  changeSet?: PropertyChange[];
}

interface UpdateSet {
  version: string;
  truncated?: boolean;
  filterSet?: Array<{ filter: MoRef; objectSet?: ObjectUpdate[] }>;
}

/** A PropertyFilterSpec (propSet, objectSet) as vim25 spells it. */
export interface FilterSpec {
  propSet: unknown[];
  objectSet: unknown[];
  /** true: an object that does not exist (any more) is left out instead of faulting the whole wait. */
  reportMissingObjectsInResults?: boolean;
}

/** Calls on the loop's session; a watch uses it to create session-bound objects (container views). */
export type LoopCall = <T = unknown>(method: string, params: Record<string, unknown>) => Promise<T>;

export interface WatchOptions {
  /** The filter spec, or a function building it on the loop's session (re-run after session loss). */
  spec: FilterSpec | ((call: LoopCall) => Promise<FilterSpec>);
  /** Object updates of this filter, in order; `round` is the loop's local update counter. */
  onUpdate(updates: ObjectUpdate[], round: number): void;
  /** The filter was re-created (session lost, ESX restarted): every object arrives again as 'enter'. */
  onResync?(): void;
}

export interface Watch {
  close(): Promise<void>;
}

export interface UpdateLoopOptions {
  credentials: Credentials;
  /** WaitForUpdatesEx maxWaitSeconds (default 30): bounds how long a dead session goes unnoticed. */
  maxWaitSeconds?: number;
  /** Largest delay between reconnect attempts (default 15 s). */
  maxBackoffMs?: number;
  log?: { warn(o: object, msg: string): void; debug(o: object, msg: string): void; info(o: object, msg: string): void };
}

interface Sub {
  o: WatchOptions;
  /** The filter on the current collector, once created. */
  filter: MoRef | null;
  /** Collector generation the filter belongs to. */
  gen: number;
  closed: boolean;
}

export class UpdateLoop {
  private pool: SessionPool | null = null;
  private pc: PropertyCollector | null = null;
  private collector: MoRef | null = null;
  private gen = 0;
  private loginsAtSetup = -1;
  private version = '';
  private readonly subs = new Set<Sub>();
  private readonly byFilter = new Map<string, Sub>();
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private closed = false;
  private roundWaiters: Array<() => void> = [];
  /** True while a WaitForUpdatesEx is in flight on the collector. */
  private waiting = false;
  /** Filters to destroy once the wait in flight returns. */
  private doomed: Array<{ filter: MoRef; gen: number }> = [];
  /** Update sets applied so far (a local, monotonic counter). */
  round = 0;
  /** performance.now() when the last update set was received (or the wait timed out empty). */
  lastRoundAt = 0;
  /** True while a collector with all filters exists (the loop is receiving updates). */
  healthy = false;
  resyncs = 0;

  constructor(
    private readonly vi: ViClient,
    private readonly opts: UpdateLoopOptions,
  ) {}

  private get maxWait(): number {
    return this.opts.maxWaitSeconds ?? 30;
  }

  /** Starts the loop (idempotent; the loop is lazy so an unused gateway makes no second session). */
  start(): void {
    if (this.closed || this.running) return;
    this.running = this.run().catch((e) => this.opts.log?.warn({ err: (e as Error).message }, 'update loop stopped'));
  }

  /** A call on the loop's session. */
  private readonly call: LoopCall = <T>(method: string, params: Record<string, unknown>) => this.invoke<T>(method, params);

  private async invoke<T>(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    await this.vi.connect(this.abort.signal);
    if (!this.pool) {
      const sc = this.vi.serviceContent;
      this.pool = new SessionPool(this.vi.transport, sc.sessionManager!, this.opts.credentials, {
        size: 1,
        perSession: 16,
        // WaitForUpdatesEx keeps the session busy; no keep-alive needed.
        keepAliveMs: 0,
        soapAction: soapActionFor(sc.about.apiVersion),
        log: this.opts.log,
      });
      this.pc = new PropertyCollector(this.pool, sc.propertyCollector, sc.viewManager);
    }
    return this.pool.call<T>(method, params, { signal: this.abort.signal, timeoutMs });
  }

  /** Subscribes to a filter. Resolves once the filter exists and its current state was delivered (or the loop is down). */
  async watch(o: WatchOptions): Promise<Watch> {
    if (this.closed) throw new ViTransportError('aborted', 'the update loop is closed');
    const sub: Sub = { o, filter: null, gen: -1, closed: false };
    this.subs.add(sub);
    this.start();
    if (this.healthy) {
      try {
        await this.createFilter(sub, true);
      } catch (e) {
        // The loop notices the broken session itself and re-creates this filter with the others.
        this.opts.log?.debug({ err: (e as Error).message }, 'CreateFilter failed; left to the loop');
      }
    }
    return { close: () => this.unwatch(sub) };
  }

  private async unwatch(sub: Sub): Promise<void> {
    if (sub.closed) return;
    sub.closed = true;
    this.subs.delete(sub);
    const f = sub.filter;
    if (!f) return;
    this.byFilter.delete(f.value);
    sub.filter = null;
    if (sub.gen === this.gen && this.healthy) await this.destroyFilter(f, sub.gen);
  }

  /**
   * Filters are destroyed between waits, not during one: the govmomi simulator's WaitForUpdatesEx
   * iterates its filter list unlocked and panics on a filter destroyed meanwhile (the connection
   * drops and the loop has to resync). Real ESX does not mind; deferring costs it nothing.
   */
  private async destroyFilter(filter: MoRef, gen: number): Promise<void> {
    if (this.waiting) {
      this.doomed.push({ filter, gen });
      return;
    }
    await this.call('DestroyPropertyFilter', { _this: filter }).catch(() => {});
  }

  private async flushDoomed(): Promise<void> {
    for (const d of this.doomed.splice(0)) {
      if (d.gen === this.gen) await this.call('DestroyPropertyFilter', { _this: d.filter }).catch(() => {});
    }
  }

  /**
   * Creates the filter of one watch on the current collector. When the loop is already waiting,
   * the current state is read explicitly (RetrievePropertiesEx): some servers only report a new
   * filter's objects with the next change.
   */
  private async createFilter(sub: Sub, initial: boolean): Promise<void> {
    const gen = this.gen;
    const collector = this.collector!;
    const spec = typeof sub.o.spec === 'function' ? await sub.o.spec(this.call) : sub.o.spec;
    const filter = await this.call<MoRef>('CreateFilter', { _this: collector, spec, partialUpdates: false });
    if (sub.closed || gen !== this.gen) {
      if (gen === this.gen) await this.destroyFilter(filter, gen);
      return;
    }
    sub.filter = filter;
    sub.gen = gen;
    this.byFilter.set(filter.value, sub);
    if (!initial) return;
    const objs = await this.pc!.retrieve([spec]);
    if (sub.closed || gen !== this.gen) return;
    const updates: ObjectUpdate[] = objs.map((o) => ({
      obj: o.ref,
      kind: 'enter',
      changeSet: Object.entries(o.props).map(([name, val]) => ({ name, op: 'assign', val })),
    }));
    if (updates.length) this.deliver(sub, updates);
  }

  private deliver(sub: Sub, updates: ObjectUpdate[]): void {
    try {
      sub.o.onUpdate(updates, this.round);
    } catch (e) {
      this.opts.log?.warn({ err: (e as Error).message }, 'update subscriber failed');
    }
  }

  /** A new collector with every filter; the next WaitForUpdatesEx (version "") reports all objects. */
  private async setup(): Promise<void> {
    this.healthy = false;
    this.byFilter.clear();
    const resync = this.gen > 0;
    this.gen++;
    const sc = () => this.vi.serviceContent;
    await this.vi.connect(this.abort.signal);
    this.collector = await this.call<MoRef>('CreatePropertyCollector', { _this: sc().propertyCollector });
    this.loginsAtSetup = this.pool!.logins;
    this.version = '';
    // Watches added meanwhile are picked up by the loop condition.
    for (;;) {
      const todo = [...this.subs].filter((s) => s.gen !== this.gen);
      if (!todo.length) break;
      for (const s of todo) await this.createFilter(s, false);
      if (this.pool!.logins !== this.loginsAtSetup) throw new ViFault('NotAuthenticated', 'the update session was logged in again during setup');
    }
    this.healthy = true;
    if (resync) {
      this.resyncs++;
      this.opts.log?.info({ resyncs: this.resyncs }, 'update loop resynchronised');
      for (const s of this.subs) {
        try {
          s.o.onResync?.();
        } catch (e) {
          this.opts.log?.warn({ err: (e as Error).message }, 'resync subscriber failed');
        }
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        if (!this.healthy || this.pool?.logins !== this.loginsAtSetup) await this.setup();
        await this.flushDoomed();
        this.waiting = true;
        const r = await this.invoke<UpdateSet | undefined>(
          'WaitForUpdatesEx',
          { _this: this.collector, version: this.version, options: { maxWaitSeconds: this.maxWait, maxObjectUpdates: MAX_OBJECT_UPDATES } },
          (this.maxWait + 30) * 1000,
        ).finally(() => {
          this.waiting = false;
        });
        // A re-login inside the call means the collector it used is gone: start over.
        if (this.pool!.logins !== this.loginsAtSetup) throw new ViFault('NotAuthenticated', 'update session lost');
        failures = 0;
        this.apply(r);
      } catch (e) {
        if (this.closed) break;
        if (isFault(e, 'RequestCanceled')) continue;
        failures++;
        this.healthy = false;
        if (e instanceof ViTransportError) this.pool?.reset(); // ESX restarted: its sessions are gone
        const delay = failures === 1 && e instanceof ViFault ? 0 : Math.min(250 * 2 ** Math.min(failures, 10), this.opts.maxBackoffMs ?? 15_000);
        this.opts.log?.warn({ err: (e as Error).message, fault: (e as ViFault).fault, failures, retryInMs: delay }, 'update loop interrupted');
        if (delay) await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => {});
      }
    }
  }

  private apply(r: UpdateSet | undefined): void {
    this.lastRoundAt = performance.now();
    if (r) {
      // A truncated set carries a version too: the next wait continues from it.
      this.version = r.version;
      this.round++;
      for (const fs of r.filterSet ?? []) {
        const sub = this.byFilter.get(fs.filter.value);
        if (sub && !sub.closed && fs.objectSet?.length) this.deliver(sub, fs.objectSet);
      }
    }
    for (const w of this.roundWaiters.splice(0)) w();
  }

  /** Resolves after the next update set arrives (or the wait times out empty), or after timeoutMs. */
  nextRound(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        const i = this.roundWaiters.indexOf(done);
        if (i >= 0) this.roundWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      t.unref?.();
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.roundWaiters.push(done);
    });
  }

  /** The key of the loop's session (tests terminate it to simulate session loss). */
  async sessionKey(): Promise<string | null> {
    await this.invoke('CurrentTime', { _this: { type: 'ServiceInstance', value: 'ServiceInstance' } });
    const cur = await this.pc!.object(this.vi.serviceContent.sessionManager!, ['currentSession']);
    return (cur?.props.currentSession as { key?: string } | undefined)?.key ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.healthy = false;
    this.abort.abort();
    for (const w of this.roundWaiters.splice(0)) w();
    await this.running;
    // Logout destroys the collector and its filters with the session.
    await this.pool?.close();
  }
}
