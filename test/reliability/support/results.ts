// Each scenario writes one JSON result to test/.tmp/reliability/; the global teardown prints them
// as the run's report (issue 7, item 9). Written from the test process, read by the main process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '.tmp', 'reliability');

export interface ScenarioResult {
  scenario: string;
  /** What was injected (kill/restart, session termination, resets, ...). */
  injected: string;
  requests: number;
  /** Client-visible failures (any non-2xx that the scenario did not ask for). */
  failures: number;
  /** Failures by "status code" (e.g. "503 upstream-unavailable"). */
  failureKinds?: Record<string, number>;
  sessionsMax?: number | null;
  poolSize?: number;
  /** heapUsed after GC, bytes. */
  memoryBefore?: number;
  memoryAfter?: number;
  /** Free-form measurements (recovery time, sockets, ...). */
  metrics?: Record<string, number | string | boolean | null>;
  notes?: string[];
}

export function writeResult(r: ScenarioResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${r.scenario.replace(/[^a-z0-9-]+/gi, '_')}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

/** Counts items by a key function. */
export function tally<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}
