// The gateway under test, in this process (as the raw baseline), in one mirror mode.
import type { Sim } from '../../test/helpers/esxsim.js';
import { type Gateway, startGateway } from '../../test/helpers/gateway.js';
import { HttpClient } from './http.js';

export type MirrorMode = '0' | '1';

export interface BenchGateway {
  gw: Gateway;
  http: HttpClient;
  mode: MirrorMode;
  close(): Promise<void>;
}

export async function benchGateway(sim: Sim, mode: MirrorMode, expectVms: number): Promise<BenchGateway> {
  const gw = await startGateway(sim, { env: { ESXGATE_MIRROR: mode, ESXGATE_RATE_LIMIT: '0' } });
  const http = new HttpClient(gw.url, 8);
  await waitForInventory(http, expectVms);
  if (mode === '1') await waitForMirror(gw, expectVms);
  return {
    gw,
    http,
    mode,
    close: async () => {
      await http.close();
      await gw.close();
    },
  };
}

interface MirrorLike {
  ready?: boolean;
  vms?(): unknown[];
}

/**
 * With the mirror on, waits until its initial load is complete, so that the figures are the
 * mirror's and not those of the direct reads it falls back to. Typed loosely on purpose: the bench
 * only needs `drivers.live.start()` and `drivers.live.mirror.ready`.
 */
export async function waitForMirror(gw: Gateway, expectVms: number, timeoutMs = 120_000): Promise<boolean> {
  const live = (gw.app.drivers as unknown as { live?: { start?(): void; mirror?: MirrorLike } }).live;
  if (!live?.mirror || typeof live.start !== 'function') return false;
  live.start();
  const deadline = Date.now() + timeoutMs;
  while (!(live.mirror.ready && (live.mirror.vms?.().length ?? expectVms) >= expectVms)) {
    if (Date.now() > deadline) throw new Error(`the mirror did not load ${expectVms} VMs within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Waits until the list route reports every VM, then a little longer while the latency still falls
 * (a mirror may answer from ESX until its initial load is done).
 */
export async function waitForInventory(http: HttpClient, expectVms: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const page = await http.get<{ total: number }>('/v1/domains?limit=1');
      if (page.total >= expectVms) break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`the gateway did not list ${expectVms} VMs within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether the gateway's OpenAPI document has `method path` (path in OpenAPI form, regex). */
export async function hasRoute(http: HttpClient, method: string, path: RegExp): Promise<boolean> {
  const doc = await http.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
  return Object.entries(doc.paths).some(([p, ops]) => path.test(p) && method.toLowerCase() in ops);
}

/**
 * Waits until the gateway's list reports `state` for the domain (the list and the action routes'
 * lookup read the mirror when it is on): after a change made outside the gateway (the bench powers
 * VMs off directly), the mirror sees it one update round trip later.
 */
export async function waitDomainState(http: HttpClient, moref: string, state: string, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const page = await http.get<{ items: Array<{ moref: string; state: string }> }>(`/v1/domains?limit=10000&state=${state}`);
    if (page.items.some((d) => d.moref === moref)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`the gateway does not list ${moref} as ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
