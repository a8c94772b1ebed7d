// What the gateway under test offers right now: routes and drivers appear as other engineers land
// them, so scenarios adapt (and note in the report what they could not exercise yet).
import type { FastifyInstance } from 'fastify';

export function hasRoute(app: FastifyInstance, method: string, url: string): boolean {
  return app.hasRoute({ method: method as 'GET', url });
}

/** The update loop (task poller / events / mirror) may hold one session beyond the pool. */
export function hasUpdateLoop(app: FastifyInstance): boolean {
  const d = app.drivers as unknown as Record<string, unknown>;
  return ['operations', 'events', 'mirror', 'updates', 'poller'].some((k) => d[k] !== undefined);
}

/** A problem+json body's code, or undefined. */
export function problemCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** Forces a full GC twice (needs --expose-gc) and returns heapUsed. */
export async function gcHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}
