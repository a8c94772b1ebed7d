/**
 * Test helper: starts the esxsim vSphere simulator (test/esxsim, built by
 * scripts/esxsim-build.sh into .cache/esxsim/esxsim) as a child process.
 *
 *   const sim = await startSim({ esx: true, vms: 3 });
 *   // sim.url = https://127.0.0.1:41234/sdk, sim.certPath = PEM usable as CA
 *   await sim.stop();
 *
 * Children are terminated when the test process exits, and esxsim also exits
 * by itself when its stdin (a pipe held by this process) closes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartSimOptions {
  /** Standalone ESX (HostAgent) instead of vCenter. */
  esx?: boolean;
  /** VMs on the ESX host, or per host/resource pool for vCenter (vcsim -vm). */
  vms?: number;
  /** Only these credentials log in. Defaults: user / pass. */
  username?: string;
  password?: string;
  /** Delay (ms) before handling the named SOAP methods. */
  methodDelay?: Record<string, number>;
  /** Keep every *_Task running this long (ms), with progress 0/25/50/75. */
  taskDelay?: number;
  /** Method name -> vim25 fault type, e.g. { PowerOnVM_Task: 'InvalidState' }. */
  faults?: Record<string, string>;
  /** Listen port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Where to write the server certificate (PEM). Default: a temp file. */
  certOut?: string;
  /** Plain http instead of https. */
  tls?: boolean;
  /** Extra esxsim flags, e.g. ['-ds', '2', '-page-size', '10']. */
  extraArgs?: string[];
  /** Startup timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Copy esxsim's stderr to this process's stderr (default: env ESXSIM_VERBOSE=1). */
  verbose?: boolean;
}

export interface Sim {
  /** SDK URL without credentials, e.g. https://127.0.0.1:41234/sdk */
  url: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** PEM certificate of the server (absent with tls: false). */
  certPath?: string;
  pid: number;
  /** Last lines esxsim wrote to stderr (for error messages). */
  stderr(): string;
  /** SIGTERM and wait for exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Send a signal (default SIGKILL) without waiting: simulates a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** Stop (if running) and start a fresh simulator on the same port and certificate. */
  restart(): Promise<void>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD_SCRIPT = join(ROOT, 'scripts', 'esxsim-build.sh');

let binaryPath: string | undefined;

/** Builds esxsim when needed (synchronously, once per process) and returns its path. */
export function esxsimBinary(): string {
  if (binaryPath) return binaryPath;
  if (process.env.ESXSIM_BIN) {
    // e.g. ESXSIM_BIN=.cache/esxsim/esxsim-race (built with ESXSIM_RACE=1)
    binaryPath = resolve(ROOT, process.env.ESXSIM_BIN);
    return binaryPath;
  }
  const res = spawnSync('bash', [BUILD_SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (res.status !== 0) {
    throw new Error(
      `esxsim build failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stderr ?? ''}`,
    );
  }
  const lines = res.stdout.trim().split('\n');
  binaryPath = lines[lines.length - 1]!.trim();
  return binaryPath;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGTERM');
      } catch {
        /* already gone */
      }
    }
  });
}

function joinMap(m: Record<string, string | number> | undefined): string | undefined {
  if (!m) return undefined;
  const parts = Object.entries(m).map(([k, v]) => `${k}:${v}`);
  return parts.length ? parts.join(',') : undefined;
}

interface Running {
  child: ChildProcess;
  url: URL;
  exited: Promise<void>;
  stderr: () => string;
}

function launch(bin: string, args: string[], timeoutMs: number, verbose: boolean): Promise<Running> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    let errTail = '';
    let outBuf = '';
    let settled = false;
    const exited = new Promise<void>((r) => {
      child.once('exit', () => {
        live.delete(child);
        r();
      });
    });
    const stderr = (): string => errTail;

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      errTail = (errTail + chunk).slice(-16_384);
      if (verbose) process.stderr.write(chunk);
    });

    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${msg}\nesxsim ${args.join(' ')}\n--- esxsim stderr ---\n${errTail}`));
    };
    const timer = setTimeout(
      () => fail(`esxsim did not print its URL within ${timeoutMs} ms`),
      timeoutMs,
    );

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (settled) return;
      outBuf += chunk;
      const nl = outBuf.indexOf('\n');
      if (nl < 0) return;
      const line = outBuf.slice(0, nl).trim();
      let url: URL;
      try {
        url = new URL(line);
      } catch {
        fail(`esxsim printed an unexpected line: ${JSON.stringify(line)}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolvePromise({ child, url, exited, stderr });
    });
    child.once('error', (err) => fail(`esxsim failed to start: ${err.message}`));
    // 'close' (not 'exit') so that stderr has been read completely.
    child.once('close', (code, signal) =>
      fail(`esxsim exited before it was ready (code ${code}, signal ${signal})`),
    );
  });
}

export async function startSim(opts: StartSimOptions = {}): Promise<Sim> {
  installExitHook();
  const bin = esxsimBinary();
  const username = opts.username ?? 'user';
  const password = opts.password ?? 'pass';
  const useTLS = opts.tls !== false;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const verbose = opts.verbose ?? process.env.ESXSIM_VERBOSE === '1';

  let tmpDir: string | undefined;
  let certPath: string | undefined;
  let keyPath: string | undefined;
  if (useTLS) {
    if (opts.certOut) {
      certPath = opts.certOut;
      keyPath = `${opts.certOut}.key`;
    } else {
      tmpDir = mkdtempSync(join(tmpdir(), 'esxsim-'));
      certPath = join(tmpDir, 'cert.pem');
      keyPath = join(tmpDir, 'key.pem');
    }
  }

  const baseArgs = (): string[] => {
    const a: string[] = ['-stdin-watch', '-username', username, '-password', password];
    if (opts.esx) a.push('-esx');
    if (opts.vms !== undefined) a.push('-vm', String(opts.vms));
    const md = joinMap(opts.methodDelay);
    if (md) a.push('-method-delay', md);
    if (opts.taskDelay) a.push('-task-delay', String(opts.taskDelay));
    const f = joinMap(opts.faults);
    if (f) a.push('-fault', f);
    if (!useTLS) a.push('-tls=false');
    a.push(...(opts.extraArgs ?? []));
    return a;
  };

  // First start: fresh certificate, written out. Restarts: same port, same certificate.
  const firstArgs = [...baseArgs(), '-l', `127.0.0.1:${opts.port ?? 0}`];
  if (certPath && keyPath) firstArgs.push('-cert-out', certPath, '-key-out', keyPath);
  let run: Running;
  try {
    run = await launch(bin, firstArgs, timeoutMs, verbose);
  } catch (err) {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }

  const stopRun = async (r: Running): Promise<void> => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill('SIGTERM');
    const t = setTimeout(() => r.child.kill('SIGKILL'), 5_000);
    await r.exited;
    clearTimeout(t);
  };

  const sim: Sim = {
    url: run.url.toString(),
    host: run.url.hostname,
    port: Number(run.url.port),
    username,
    password,
    ...(certPath ? { certPath } : {}),
    pid: run.child.pid!,
    stderr: () => run.stderr(),
    async stop() {
      await stopRun(run);
      if (tmpDir) {
        rmSync(tmpDir, { recursive: true, force: true });
        tmpDir = undefined;
      }
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      run.child.kill(signal);
    },
    async restart() {
      await stopRun(run);
      const args = [...baseArgs(), '-l', `127.0.0.1:${sim.port}`];
      if (certPath && keyPath) args.push('-cert', certPath, '-key', keyPath);
      let lastErr: unknown;
      // The port can take a moment to be released.
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          run = await launch(bin, args, timeoutMs, verbose);
          sim.pid = run.child.pid!;
          return;
        } catch (err) {
          lastErr = err;
          if (!String(err).includes('address already in use')) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      throw lastErr;
    },
  };
  return sim;
}
