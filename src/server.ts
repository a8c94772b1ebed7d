// Server entry: configuration, the simulator when no ESX is configured, listen, graceful shutdown.
import closeWithGrace from 'close-with-grace';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { loggerOptions } from './logger.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the project's simulator (scripts/esxsim.sh builds it when needed) and returns its URI. */
async function startSimulator(log: pino.Logger): Promise<{ uri: string; stop: () => void }> {
  const script = resolve(root, 'scripts/esxsim.sh');
  if (!existsSync(script)) throw new ConfigError('ESXGATE_URI is not set and the simulator scripts are not installed');
  const port = process.env.ESXSIM_PORT ?? '8989';
  log.info({ port }, 'ESXGATE_URI is not set: starting the vSphere simulator (standalone ESX, 20 VMs)');
  const child = spawn('bash', [script, '-esx', '-vm', process.env.ESXSIM_VMS ?? '20', '-l', `127.0.0.1:${port}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => res(l.trim()));
    child.once('exit', (code) => rej(new ConfigError(`the simulator exited with code ${code} before it was ready`)));
  });
  const u = new URL(url);
  process.env.ESXGATE_PASSWORD ??= 'pass';
  return { uri: `esx://user@${u.host}/?no_verify=1`, stop: () => child.kill('SIGTERM') };
}

export async function main(): Promise<void> {
  const bootLog = pino(loggerOptions(process.env.ESXGATE_LOG_LEVEL ?? 'info'));
  let sim: { uri: string; stop: () => void } | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    if (!process.env.ESXGATE_URI) sim = await startSimulator(bootLog);
    const config = loadConfig(process.env, sim?.uri);
    const log = pino(loggerOptions(config.logLevel));
    for (const p of config.connection.unknown) log.warn({ parameter: p }, `unknown URI parameter "${p}" is ignored`);
    if (config.connection.noVerify) log.warn('no_verify=1: the TLS certificate of ESX is not verified');
    if (!config.tokens.length && !['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
      log.warn({ host: config.host }, 'no ESXGATE_TOKENS: the API is open to anyone who reaches this address');
    }
    app = await buildApp({ config, logger: log });
    closeWithGrace({ delay: Number(process.env.ESXGATE_GRACE_MS ?? 10_000), logger: log }, async ({ err, signal }) => {
      if (err) log.error({ err }, 'shutting down after an error');
      else log.info({ signal }, 'shutting down');
      await app!.close();
      sim?.stop();
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    sim?.stop();
    if (e instanceof ConfigError) {
      bootLog.fatal(`configuration error: ${e.message}`);
      process.exitCode = 2;
      await app?.close();
      return;
    }
    throw e;
  }
}
