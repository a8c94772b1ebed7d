// Scenario 6 (issue 8): resident memory of a gateway serving 5000 VMs. The gateway runs as its own
// process, as `npm start` runs it (compiled JavaScript: the bench compiles src/ with
// tsconfig.build.json into .cache/bench-dist, because the tsx loader alone adds ~35 MB of RSS),
// so that its RSS is not mixed with the bench's. VmRSS is read from /proc when the gateway is idle,
// and again after the mirror loaded and a few full list requests were served.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sim } from '../../test/helpers/esxsim.js';
import { simUri } from '../../test/helpers/gateway.js';
import { type MirrorMode, waitForInventory } from '../lib/gateway.js';
import { HttpClient } from '../lib/http.js';
import type { Row } from '../lib/table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function rssOf(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const IDLE_S = 12;
let built: string[] | undefined;
/** The gateway's command line: compiled dist when tsc emits it, else through tsx. */
function gatewayCommand(): string[] {
  if (built) return built;
  const out = join(ROOT, '.cache', 'bench-dist');
  // Type errors elsewhere do not stop the emit; only a missing cli.js sends us to tsx.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
  built = existsSync(join(out, 'cli.js')) ? [join(out, 'cli.js'), 'serve'] : ['--import', 'tsx', 'src/cli.ts', 'serve'];
  return built;
}

export async function rssScenario(sim: Sim, mode: MirrorMode, vms: number, nodeFlags: string[] = []): Promise<Row[]> {
  const port = await freePort();
  const cmd = gatewayCommand();
  const child = spawn(process.execPath, [...nodeFlags, ...cmd], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ESXGATE_URI: simUri(sim),
      ESXGATE_PASSWORD: sim.password,
      ESXGATE_MIRROR: mode,
      ESXGATE_LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
    },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const http = new HttpClient(`http://127.0.0.1:${port}`, 2);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}): ${stderr}`);
      try {
        await http.get('/healthz');
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`the gateway did not listen within 60 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const idle = rssOf(child.pid!);
    await waitForInventory(http, vms);
    // The mirror loads in the background (started by the first list): wait until RSS settles.
    const settle = Date.now() + (mode === '1' ? 60_000 : 0);
    const seen: number[] = [];
    while (Date.now() < settle) {
      await http.get('/v1/domains?limit=10000');
      seen.push(rssOf(child.pid!).rss);
      const last = seen.slice(-3);
      if (last.length === 3 && Math.max(...last) - Math.min(...last) < 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let i = 0; i < 5; i++) await http.get('/v1/domains?limit=10000');
    // Right after a burst V8 still holds the heap it grew; its memory reducer gives pages back after
    // some seconds without allocation. The figure is the steady state after IDLE_S quiet seconds.
    const after = rssOf(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const m = rssOf(child.pid!);
    const scenario = `RSS, gateway process, ${vms} VMs, mirror=${mode}${nodeFlags.length ? `, node ${nodeFlags.join(' ')}` : ''}`;
    const how = cmd[0]!.endsWith('cli.js') ? 'node dist' : 'tsx';
    return [
      { scenario, metric: 'RSS MB', gateway: m.rss, raw: null, ratio: null, goal: mode === '1' ? '<= 150 MB' : '', met: mode === '1' ? m.rss <= 150 : null, note: `${IDLE_S} s after 5 full lists (right after: ${after.rss.toFixed(0)} MB); before any list ${idle.rss.toFixed(0)} MB; peak ${m.peak.toFixed(0)} MB; ${how}` },
    ];
  } finally {
    await http.close();
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}
