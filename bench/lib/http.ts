// The bench's HTTP client to the gateway: undici over loopback with keep-alive, as a real client
// would use. A timed gateway call includes reading and JSON-parsing the body (a client of the
// gateway must parse its JSON just as a raw client must parse XML).
import { Pool } from 'undici';

export class HttpClient {
  readonly pool: Pool;
  constructor(readonly base: string, connections = 8) {
    this.pool = new Pool(base, { connections, keepAliveTimeout: 30_000 });
  }

  async request(method: string, path: string, o: { body?: unknown; signal?: AbortSignal } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
    const res = await this.pool.request({
      method: method as 'GET',
      path,
      signal: o.signal,
      headers: o.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.body.text();
    let body: unknown = text;
    if (text && /json/.test(String(res.headers['content-type'] ?? ''))) body = JSON.parse(text);
    return { status: res.statusCode, headers: res.headers, body };
  }

  /** GET that must answer `expect` (default 200); returns the parsed body. */
  async get<T = unknown>(path: string, expect = 200): Promise<T> {
    const r = await this.request('GET', path);
    if (r.status !== expect) throw new Error(`GET ${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body as T;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
