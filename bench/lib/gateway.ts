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
