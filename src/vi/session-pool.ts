// A bounded pool of vSphere sessions over one transport. Each call leases a session (the least
// busy; a new one is logged in only while fewer than `size` exist), a NotAuthenticated fault
// re-logs that session in and retries once, idle sessions are kept alive with CurrentTime, and
// close() logs them all out. The pool never holds more than `size` sessions on ESX.
import { ViFault, ViTransportError } from './errors.js';
import type { MoRef } from './soap/encode.js';
import type { CallOptions, SoapTransport } from './soap/transport.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface PoolOptions {
  size?: number;
  /** Concurrent calls one session carries before the pool prefers another. */
  perSession?: number;
  keepAliveMs?: number;
  soapAction?: string;
  log?: { warn(o: object, msg: string): void; debug(o: object, msg: string): void };
}

export interface Session {
  readonly id: number;
  cookie: string | null;
  key: string | null;
  inUse: number;
  lastUsed: number;
  login: Promise<void> | null;
  /** Per-session caches (container views are session-bound); cleared on re-login. */
  cache: Map<string, unknown>;
}

export interface PoolStats {
  size: number;
  open: number;
  inUse: number;
  waiting: number;
  logins: number;
  relogins: number;
}

/** `name=value` pairs of Set-Cookie headers, for the Cookie header. Never logged. */
export function cookieFrom(setCookie: string | undefined): string | null {
  if (!setCookie) return null;
  const pairs = setCookie.split('\n').map((c) => c.split(';')[0]!.trim()).filter((c) => c.includes('='));
  return pairs.length ? pairs.join('; ') : null;
}

export class SessionPool {
  readonly size: number;
  private readonly perSession: number;
  private readonly sessions: Session[] = [];
  private readonly waiters: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  private keepAlive: NodeJS.Timeout | null = null;
  logins = 0;
  relogins = 0;

  constructor(
    readonly transport: SoapTransport,
    readonly sessionManager: MoRef,
    private readonly creds: Credentials,
    private readonly opts: PoolOptions = {},
  ) {
    this.size = Math.max(1, opts.size ?? 4);
    this.perSession = Math.max(1, opts.perSession ?? 8);
    const every = opts.keepAliveMs ?? 5 * 60_000;
    if (every > 0) {
      this.keepAlive = setInterval(() => void this.ping(every), Math.min(every, 60_000));
      this.keepAlive.unref();
    }
  }

  stats(): PoolStats {
    return {
      size: this.size,
      open: this.sessions.filter((s) => s.cookie).length,
      inUse: this.sessions.reduce((n, s) => n + s.inUse, 0),
      waiting: this.waiters.length,
      logins: this.logins,
      relogins: this.relogins,
    };
  }

  /** One vim25 call on a leased session. */
  call<T = unknown>(method: string, params: Record<string, unknown>, o: CallOptions = {}): Promise<T> {
    return this.withSession((s) => this.invoke<T>(s, method, params, o), o.signal);
  }

  /** Runs `fn` with a leased session (for call sequences bound to a session: paging tokens, views). */
  async withSession<T>(fn: (s: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const s = await this.lease(signal);
    try {
      return await fn(s);
    } finally {
      this.release(s);
    }
  }

  /**
   * A call on a given session; logs it in first if needed, re-logs in once on NotAuthenticated.
   * `unauthenticated(value)` true means the answer itself says the session is gone (a
   * RetrievePropertiesEx without a valid session may answer each property with a NotAuthenticated
   * missingSet instead of a fault): handled exactly like the fault.
   */
  async invoke<T = unknown>(s: Session, method: string, params: Record<string, unknown>, o: CallOptions = {}, unauthenticated?: (value: T) => boolean): Promise<T> {
    if (!s.cookie) await this.login(s, o.signal);
    const used = s.cookie!;
    const send = async (cookie: string): Promise<T> => {
      const value = (await this.transport.call(method, params, { soapAction: this.opts.soapAction, ...o, cookie })).value as T;
      if (unauthenticated?.(value)) throw new ViFault('NotAuthenticated', `${method}: the session is not authenticated (reported per property)`, {}, method);
      return value;
    };
    try {
      return await send(used);
    } catch (e) {
      if (!(e instanceof ViFault && e.fault === 'NotAuthenticated') || this.closed) throw e;
      // Only the first call to see the dead cookie logs in again; concurrent calls on the same
      // session join that login or use its result. Logging in twice would abandon a live session
      // on ESX (and the views cached for it).
      if (s.cookie === used) {
        this.relogins++;
        this.opts.log?.warn({ session: s.id, method }, 'vSphere session lost; logging in again');
        s.cookie = null;
      }
      if (!s.cookie) await this.login(s, o.signal);
      return send(s.cookie!);
    }
  }

  private login(s: Session, signal?: AbortSignal): Promise<void> {
    s.login ??= (async () => {
      try {
        s.cache.clear();
        const r = await this.transport.call(
          'Login',
          { _this: this.sessionManager, userName: this.creds.username, password: this.creds.password },
          { soapAction: this.opts.soapAction, signal },
        );
        const cookie = cookieFrom(r.setCookie);
        if (!cookie) throw new ViTransportError('protocol', 'ESX accepted the login but sent no session cookie');
        s.cookie = cookie;
        s.key = ((r.value as { key?: string }) ?? {}).key ?? null;
        this.logins++;
      } finally {
        s.login = null;
      }
    })();
    return s.login;
  }

  private async lease(signal?: AbortSignal): Promise<Session> {
    for (;;) {
      if (this.closed) throw new ViTransportError('aborted', 'the session pool is closed');
      signal?.throwIfAborted();
      let best: Session | undefined;
      for (const s of this.sessions) if (!best || s.inUse < best.inUse) best = s;
      if (best && (best.inUse === 0 || this.sessions.length >= this.size) && best.inUse < this.perSession) {
        best.inUse++;
        best.lastUsed = Date.now();
        return best;
      }
      if (this.sessions.length < this.size) {
        const s: Session = { id: this.nextId++, cookie: null, key: null, inUse: 1, lastUsed: Date.now(), login: null, cache: new Map() };
        this.sessions.push(s);
        return s;
      }
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
      });
    }
  }

  private release(s: Session): void {
    s.inUse--;
    s.lastUsed = Date.now();
    this.waiters.shift()?.();
  }

  private async ping(idleMs: number): Promise<void> {
    const now = Date.now();
    for (const s of this.sessions) {
      if (!s.cookie || s.inUse > 0 || now - s.lastUsed < idleMs) continue;
      s.inUse++;
      try {
        await this.invoke(s, 'CurrentTime', { _this: { type: 'ServiceInstance', value: 'ServiceInstance' } });
      } catch (e) {
        this.opts.log?.debug({ session: s.id, err: (e as Error).message }, 'keep-alive failed');
      } finally {
        this.release(s);
      }
    }
  }

  /** Forgets all sessions without logging out (ESX restarted: they are gone there too). */
  reset(): void {
    for (const s of this.sessions) {
      s.cookie = null;
      s.cache.clear();
    }
  }

  /** Logs every session out; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(
      this.sessions
        .filter((s) => s.cookie)
        .map((s) =>
          this.transport
            .call('Logout', { _this: this.sessionManager }, { cookie: s.cookie!, soapAction: this.opts.soapAction, timeoutMs: 5000 })
            .catch(() => {})
            .finally(() => (s.cookie = null)),
        ),
    );
  }
}
