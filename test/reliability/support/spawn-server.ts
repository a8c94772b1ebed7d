// Runs the real server (`tsx src/cli.ts serve`) as a child process, as operators do, capturing its
// JSON log lines; the URL is read from Fastify's "Server listening at" line (PORT=0).
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** Every stdout/stderr line so far. */
  lines: string[];
  /** Resolves with the exit code (null when killed by a signal) and the time it took. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  // ESXGATE_SABOTAGE (support/sabotage.ts) reaches the server process too.
  const sabotage = process.env.ESXGATE_SABOTAGE ? ['--import', resolve(ROOT, 'test/reliability/support/sabotage.ts')] : [];
  const proc = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), ...sabotage, resolve(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      ...(process.env.ESXGATE_SABOTAGE ? { ESXGATE_SABOTAGE: process.env.ESXGATE_SABOTAGE } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  let onUrl: (u: string) => void = () => {};
  const urlP = new Promise<string>((r) => (onUrl = r));
  for (const stream of [proc.stdout!, proc.stderr!]) {
    createInterface({ input: stream }).on('line', (l) => {
      lines.push(l);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(l);
      if (m) onUrl(m[1]!);
    });
  }
  const url = await Promise.race([
    urlP,
    exited.then(({ code }) => Promise.reject(new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`))),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`server did not listen within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs)),
  ]);
  return { proc, url, lines, exited };
}
