// Test helper: a raw vSphere client on a simulator (to act "outside the gateway").
import { ViClient } from '../../src/vi/client.js';
import type { MoRef } from '../../src/vi/soap/encode.js';
import type { Sim } from './esxsim.js';

export async function rawClient(sim: Sim, poolSize = 1): Promise<ViClient> {
  const vi = new ViClient({
    origin: `https://${sim.host}:${sim.port}`,
    noVerify: true,
    credentials: { username: sim.username, password: sim.password },
    pool: { size: poolSize, keepAliveMs: 0 },
  });
  await vi.connect();
  return vi;
}

export interface SessionInfo {
  key: string;
  userName: string;
}

/** SessionManager.sessionList, as ESX sees it. */
export async function sessionList(vi: ViClient): Promise<SessionInfo[]> {
  const sm = vi.serviceContent.sessionManager!;
  return ((await vi.pc.object(sm, ['sessionList']))?.props.sessionList as SessionInfo[] | undefined) ?? [];
}

/** This client's own session key. */
export async function currentSessionKey(vi: ViClient): Promise<string> {
  const sm = vi.serviceContent.sessionManager!;
  return ((await vi.pc.object(sm, ['currentSession']))?.props.currentSession as SessionInfo).key;
}

/** Terminates every session but this client's own (SessionManager.TerminateSession). */
export async function terminateOthers(vi: ViClient): Promise<number> {
  const own = await currentSessionKey(vi);
  const others = (await sessionList(vi)).map((s) => s.key).filter((k) => k !== own);
  if (others.length) await vi.call('TerminateSession', { _this: vi.serviceContent.sessionManager as MoRef, sessionId: others });
  return others.length;
}
