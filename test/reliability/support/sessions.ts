// Watches SessionManager.sessionList on a simulator through a separate raw ViClient (its own
// session is excluded from the counts), and can terminate the gateway's sessions from the side,
// as an administrator or an ESX restart would.
import { ViClient } from '../../../src/vi/client.js';
import type { Sim } from '../../helpers/esxsim.js';

export interface SessionInfo {
  key: string;
  userName: string;
}

export class SessionWatcher {
  readonly vi: ViClient;
  /** Largest number of foreign sessions seen (null until one poll succeeded). */
  max: number | null = null;
  last: number | null = null;
  polls = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(sim: Sim) {
    this.vi = new ViClient({
      origin: `https://${sim.host}:${sim.port}`,
      noVerify: true,
      timeoutMs: 2000,
      credentials: { username: sim.username, password: sim.password },
      pool: { size: 1, keepAliveMs: 0 },
    });
  }

  /** The sessions on ESX other than the watcher's own. */
  async sessions(): Promise<SessionInfo[]> {
    await this.vi.connect();
    const sm = this.vi.serviceContent.sessionManager!;
    const p = (await this.vi.pc.object(sm, ['sessionList', 'currentSession']))?.props ?? {};
    const own = (p.currentSession as SessionInfo | undefined)?.key;
    return ((p.sessionList as SessionInfo[] | undefined) ?? []).filter((s) => s.key !== own);
  }

  async count(): Promise<number> {
    const n = (await this.sessions()).length;
    this.last = n;
    this.max = Math.max(this.max ?? 0, n);
    this.polls++;
    return n;
  }

  /** Polls every `ms` (errors while ESX is down are expected and ignored). */
  start(ms = 100): this {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.count()
        .catch(() => {})
        .finally(() => (this.busy = false));
    }, ms);
    return this;
  }

  /** TerminateSession for every foreign session; returns how many were terminated. */
  async terminateAll(): Promise<number> {
    const keys = (await this.sessions()).map((s) => s.key);
    if (keys.length) await this.vi.call('TerminateSession', { _this: this.vi.serviceContent.sessionManager!, sessionId: keys });
    return keys.length;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.vi.close();
  }
}
