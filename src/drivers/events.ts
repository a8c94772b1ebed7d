// The gateway's event bus: operation progress, VM questions and domain lifecycle changes, each with
// a monotonic id, kept in a bounded ring buffer for Last-Event-ID replay. Subscribers are called
// synchronously; they must not block (the SSE route queues and drops slow clients itself).

export type EventType = 'operation' | 'lifecycle' | 'question';
export const EVENT_TYPES: readonly EventType[] = ['operation', 'lifecycle', 'question'];

export interface GatewayEvent {
  id: number;
  type: EventType;
  time: string;
  data: Record<string, unknown>;
}

export type LifecycleKind = 'started' | 'stopped' | 'suspended' | 'resumed' | 'defined' | 'undefined' | 'renamed';

type Listener = (e: GatewayEvent) => void;

export class EventBus {
  private readonly ring: GatewayEvent[] = [];
  private start = 0;
  private nextId = 1;
  private readonly listeners = new Set<Listener>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  /** Per subscriber: bytes written to it but not yet taken by its client (SSE streams report it). */
  private readonly queued = new Map<Listener, () => number>();
  closed = false;

  constructor(readonly capacity = 1000) {}

  publish(type: EventType, data: Record<string, unknown>): GatewayEvent {
    const e: GatewayEvent = { id: this.nextId++, type, time: new Date().toISOString(), data };
    if (this.ring.length < this.capacity) this.ring.push(e);
    else {
      this.ring[this.start] = e;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken subscriber must not stop the others */
      }
    }
    return e;
  }

  /** For /metrics (esxgate_event_stream_clients): every subscriber is an SSE client of GET /v1/events. */
  stats(): { clients: number; queuedBytes: number } {
    let queuedBytes = 0;
    for (const q of this.queued.values()) queuedBytes += q();
    return { clients: this.listeners.size, queuedBytes };
  }

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * Buffered events after `lastId`, oldest first. `complete` is false when some were already
   * overwritten (the client missed events and should reload its state).
   */
  since(lastId: number): { events: GatewayEvent[]; complete: boolean } {
    const ordered = this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    const events = ordered.filter((e) => e.id > lastId);
    const oldest = ordered[0]?.id ?? this.nextId;
    return { events, complete: lastId >= oldest - 1 || lastId >= this.lastId };
  }

  subscribe(l: Listener, onClose?: (reason: string) => void, queued?: () => number): () => void {
    this.listeners.add(l);
    if (onClose) this.closeListeners.add(onClose);
    if (queued) this.queued.set(l, queued);
    return () => {
      this.listeners.delete(l);
      this.queued.delete(l);
      if (onClose) this.closeListeners.delete(onClose);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Tells every subscriber the stream ends (app shutdown). */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.closeListeners]) {
      try {
        c(reason);
      } catch {
        /* ignore */
      }
    }
    this.listeners.clear();
    this.queued.clear();
    this.closeListeners.clear();
  }
}
