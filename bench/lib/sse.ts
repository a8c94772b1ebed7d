// A minimal Server-Sent Events reader over undici for the bench: records when (wall clock) each
// operation event arrives, so a waiter can ask "when did the client first see op X succeed?".
import { Client } from 'undici';
import { wallNow } from './stats.js';

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

export class SseReader {
  private readonly client: Client;
  private readonly ac = new AbortController();
  private readonly watchers = new Set<(e: SseEvent) => void>();
  private opened!: Promise<void>;

  constructor(base: string, path: string) {
    this.client = new Client(base);
    this.opened = this.run(path);
  }

  /** Resolves once the stream's response headers arrived (the subscription exists). */
  ready(): Promise<void> {
    return this.opened;
  }

  private async run(path: string): Promise<void> {
    const res = await this.client.request({ method: 'GET', path, signal: this.ac.signal, headers: { accept: 'text/event-stream' } });
    if (res.statusCode !== 200) throw new Error(`SSE ${path}: HTTP ${res.statusCode}`);
    void (async () => {
      let buf = '';
      try {
        for await (const chunk of res.body) {
          const at = wallNow();
          buf += (chunk as Buffer).toString('utf8');
          for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
            const frame = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let event = 'message';
            let data = '';
            for (const line of frame.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (!data) continue;
            const e: SseEvent = { event, data: JSON.parse(data) as Record<string, unknown>, at };
            for (const w of this.watchers) w(e);
          }
        }
      } catch {
        /* closed */
      }
    })();
  }

  /** The first event matching `pred` from now on. */
  next(pred: (e: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.watchers.delete(w);
        reject(new Error('no matching SSE event in time'));
      }, timeoutMs);
      const w = (e: SseEvent) => {
        if (!pred(e)) return;
        clearTimeout(t);
        this.watchers.delete(w);
        resolve(e);
      };
      this.watchers.add(w);
    });
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.client.destroy().catch(() => {});
  }
}
