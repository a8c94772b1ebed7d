// `npm run bench`: starts its own simulators, runs each scenario against the gateway and the raw
// SOAP baseline in this one process, prints the table and writes bench/results/latest.json.
//   BENCH_ONLY=list,get,concurrent,start,latency,rss,decode   run a subset
//   BENCH_QUICK=1                                             fewer iterations (smoke run)
//   BENCH_MODES=0,1                                           mirror modes to run (ESXGATE_MIRROR)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Sim, startSim } from '../test/helpers/esxsim.js';
import { type MirrorMode, benchGateway } from './lib/gateway.js';
import { rawClient } from './lib/raw.js';
import { type Row, formatTable, naRow } from './lib/table.js';
import { concurrentScenario } from './scenarios/concurrent.js';
import { decodeScenario } from './scenarios/decode.js';
import { getScenario } from './scenarios/get.js';
import { listScenario } from './scenarios/list.js';
import { latencyScenario } from './scenarios/latency.js';
import { rssScenario } from './scenarios/rss.js';
import { startScenario } from './scenarios/start.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const want = (s: string) => !only || only.has(s);
const quick = process.env.BENCH_QUICK === '1';
const modes = (process.env.BENCH_MODES ?? '0,1').split(',') as MirrorMode[];
const rows: Row[] = [];
const started = Date.now();

function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
}

/** Runs `fn`, turning a failure into a row that names it (the rest of the bench still runs). */
async function guarded(label: string, fn: () => Promise<Row[]>): Promise<void> {
  log(label);
  try {
    const r = await fn();
    rows.push(...r);
    for (const row of r) log(`  ${row.scenario} ${row.metric}: gateway ${row.gateway?.toFixed(2) ?? '-'} raw ${row.raw?.toFixed(2) ?? '-'} ${row.note ?? ''}`);
  } catch (e) {
    log(`  FAILED: ${(e as Error).stack ?? e}`);
    rows.push({ ...naRow(label, `failed: ${(e as Error).message.slice(0, 160)}`), met: false });
  }
}

async function withSim<T>(opts: Parameters<typeof startSim>[0], fn: (sim: Sim) => Promise<T>): Promise<T> {
  const t = Date.now();
  const sim = await startSim({ timeoutMs: 300_000, ...opts });
  log(`simulator ${JSON.stringify(opts)} up in ${Date.now() - t} ms`);
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** List, get and concurrent load on one inventory size, each mirror mode. */
async function inventoryPhase(vms: number, o: { get: boolean; concurrent: boolean; rss: boolean; decode: boolean }): Promise<void> {
  await withSim({ esx: true, vms }, async (sim) => {
    const raw = await rawClient(sim, { connections: 64, sessions: 4 });
    try {
      for (const mode of modes) {
        if (!want('list') && !(o.get && want('get')) && !(o.concurrent && want('concurrent'))) break;
        const g = await benchGateway(sim, mode, vms);
        try {
          const big = vms >= 5000;
          if (want('list')) await guarded(`list ${vms} mirror=${mode}`, () => listScenario(g, raw, { vms, iterations: quick ? 5 : big ? 20 : 40, warmup: quick ? 1 : 3 }));
          if (o.get && want('get')) await guarded(`get mirror=${mode}`, () => getScenario(g, raw, { vms, iterations: quick ? 10 : 100, warmup: 5 }));
          if (o.concurrent && want('concurrent')) await guarded(`concurrent mirror=${mode}`, () => concurrentScenario(g, raw, { vms, durationS: quick ? 2 : 5, connections: 64 }));
        } finally {
          await g.close();
        }
      }
      if (o.decode && want('decode')) await guarded(`decode ${vms}`, () => decodeScenario(raw, { vms, iterations: quick ? 3 : 10 }));
    } finally {
      await raw.close();
    }
    if (o.rss && want('rss')) {
      for (const mode of modes) await guarded(`rss mirror=${mode}`, () => rssScenario(sim, mode, vms));
      // A smaller young generation lets V8 hand the load's transient heap back (bench/PROFILE.md).
      if (modes.includes('1')) await guarded('rss mirror=1 small semi-space', () => rssScenario(sim, '1', vms, ['--max-semi-space-size=2']));
    }
  });
}

async function main(): Promise<void> {
  await inventoryPhase(1000, { get: true, concurrent: true, rss: false, decode: false });
  await inventoryPhase(5000, { get: false, concurrent: false, rss: true, decode: true });
  if (want('start')) {
    await withSim({ esx: true, vms: 1000 }, async (sim) => {
      for (const mode of modes) await guarded(`start mirror=${mode}`, () => startScenario(sim, mode, { vms: 1000, iterations: quick ? 3 : 12 }));
    });
  }
  if (want('latency')) {
    const taskDelay = 200;
    await withSim({ esx: true, vms: 20, taskDelay }, async (sim) => {
      for (const mode of modes) await guarded(`latency mirror=${mode}`, () => latencyScenario(sim, mode, { vms: 20, taskDelay, iterations: quick ? 3 : 12 }));
    });
  }

  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n`);
  const out = {
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, platform: process.platform },
    options: { quick, modes, only: only ? [...only] : null },
    rows,
  };
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, quick || only ? 'last-partial.json' : 'latest.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${file}`);
  const failed = rows.filter((r) => r.met === false).length;
  log(`${rows.length} rows, ${failed} goal(s) not met, ${out.durationS} s`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
