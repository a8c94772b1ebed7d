// Vitest global setup for the reliability suite: starts with an empty results directory and, at
// the end, prints one block per scenario from the JSON files the scenarios wrote (item 9).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, type ScenarioResult } from './results.js';

const mib = (b?: number) => (b === undefined ? '-' : `${(b / 1024 / 1024).toFixed(1)} MiB`);

export function formatReport(results: ScenarioResult[]): string {
  const lines = ['', '=== esxgate reliability report ==='];
  for (const r of results) {
    lines.push(`\n[${r.scenario}]`);
    lines.push(`  injected:      ${r.injected}`);
    lines.push(`  requests:      ${r.requests}   failures seen: ${r.failures}`);
    if (r.failureKinds && Object.keys(r.failureKinds).length) {
      lines.push(`  failure kinds: ${Object.entries(r.failureKinds).map(([k, n]) => `${k} x${n}`).join(', ')}`);
    }
    if (r.sessionsMax !== undefined) lines.push(`  sessions max:  ${r.sessionsMax ?? '-'}${r.poolSize ? ` (pool size ${r.poolSize})` : ''}`);
    if (r.memoryBefore !== undefined || r.memoryAfter !== undefined) lines.push(`  heap (GC'd):   ${mib(r.memoryBefore)} -> ${mib(r.memoryAfter)}`);
    for (const [k, v] of Object.entries(r.metrics ?? {})) lines.push(`  ${`${k}:`.padEnd(15)} ${v}`);
    for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
  }
  if (!results.length) lines.push('(no scenario wrote a result)');
  return `${lines.join('\n')}\n`;
}

export function readResults(): ScenarioResult[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as ScenarioResult);
}

export default function setup(): () => void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  return () => {
    process.stdout.write(formatReport(readResults()));
  };
}
