// A Server-Sent Events reader over fetch (a real HTTP client), for the event-stream tests.
export interface SseEvent {
  id?: string;
  event?: string;
  data?: any;
  /** A comment line (": heartbeat"). */
  comment?: string;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** Everything received so far, in order. */
  events: SseEvent[];
  /** The first event (from the one after the previous match) matching pred; rejects when the stream ends or after timeoutMs. */
  next(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  let ended = false;
  let cursor = 0;
  const wake = new Set<() => void>();
  const notify = () => {
    for (const w of [...wake]) w();
  };
  void (async () => {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
            else if (line.startsWith(': ')) e.comment = line.slice(2);
          }
          events.push(e);
        }
        notify();
      }
    } catch {
      /* aborted */
    } finally {
      ended = true;
      notify();
    }
  })();
  const next = (pred: (e: SseEvent) => boolean, timeoutMs = 30_000) =>
    new Promise<SseEvent>((resolve, reject) => {
      const check = () => {
        for (; cursor < events.length; cursor++) {
          if (pred(events[cursor]!)) {
            done();
            resolve(events[cursor++]!);
            return;
          }
        }
        if (ended) {
          done();
          reject(new Error(`the stream ended without a matching event (got ${events.map((e) => e.event ?? e.comment).join(', ')})`));
        }
      };
      const t = setTimeout(() => {
        done();
        reject(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        wake.delete(check);
      };
      wake.add(check);
      check();
    });
  return { status: res.status, contentType: res.headers.get('content-type'), events, next, close: () => ac.abort() };
}
