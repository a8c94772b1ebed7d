// Configuration from the environment: a libvirt-style connection URI (ESXGATE_URI) with the query
// parameters of libvirt's ESX driver, the password from ESXGATE_PASSWORD(_FILE), and service
// settings. Every bad value is a ConfigError naming the variable or parameter.
import { readFileSync } from 'node:fs';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConnectionConfig {
  /** The URI as given, without password. */
  uri: string;
  scheme: 'esx' | 'vpx' | 'gsx';
  transport: 'https' | 'http';
  host: string;
  port: number;
  username: string;
  password: string;
  /** vpx://vc/DC/cluster/host -> ['DC', 'cluster', 'host'] (decoded). */
  path: string[];
  noVerify: boolean;
  autoAnswer: boolean;
  cacertFile?: string;
  cacert?: string;
  proxy?: string;
  /** Unknown query parameters (warned about at start). */
  unknown: string[];
}

export interface Config {
  connection: ConnectionConfig;
  host: string;
  port: number;
  logLevel: string;
  poolSize: number;
  /** ms per upstream call. */
  upstreamTimeoutMs: number;
  /** Largest SOAP response accepted from ESX (protects the gateway's memory). */
  maxResponseBytes: number;
  bodyLimit: number;
  tokens: Array<{ token: string; readOnly: boolean }>;
  mirror: boolean;
  rateLimit: number;
  corsOrigin: string | null;
  /** The gateway started its own simulator (no ESXGATE_URI). */
  simulator: boolean;
}

const PARAMS = new Set(['transport', 'no_verify', 'auto_answer', 'cacert', 'proxy']);

function flag(name: string, v: string): boolean {
  if (v === '0') return false;
  if (v === '1') return true;
  throw new ConfigError(`URI parameter ${name} must be 0 or 1, not "${v}"`);
}

/** Parses a libvirt ESX driver URI: esx://[user@]host[:port]/[?params], vpx://[user@]vc[:port]/DC/.../host. */
export function parseConnectionUri(raw: string, password: string, readFile = (f: string) => readFileSync(f, 'utf8')): ConnectionConfig {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`ESXGATE_URI is not a valid URI: "${raw.replace(/:[^@/]*@/, ':***@')}"`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== 'esx' && scheme !== 'vpx' && scheme !== 'gsx') {
    throw new ConfigError(`ESXGATE_URI scheme must be esx, vpx or gsx, not "${scheme}"`);
  }
  if (!u.hostname) throw new ConfigError('ESXGATE_URI has no host name');
  if (u.password) throw new ConfigError('ESXGATE_URI must not contain a password: use ESXGATE_PASSWORD or ESXGATE_PASSWORD_FILE');
  const q = u.searchParams;
  const unknown = [...new Set([...q.keys()].filter((k) => !PARAMS.has(k)))];
  const transport = q.get('transport') ?? (scheme === 'gsx' ? 'http' : 'https');
  if (transport !== 'https' && transport !== 'http') throw new ConfigError(`URI parameter transport must be https or http, not "${transport}"`);
  const port = u.port ? Number(u.port) : transport === 'https' ? 443 : 80;
  const path = u.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  if (scheme === 'esx' && path.length) throw new ConfigError(`an esx:// URI has no path; "${u.pathname}" is only meaningful with vpx://`);
  let cacert: string | undefined;
  const cacertFile = q.get('cacert') ?? undefined;
  if (cacertFile !== undefined) {
    try {
      cacert = readFile(cacertFile);
    } catch (e) {
      throw new ConfigError(`URI parameter cacert: cannot read "${cacertFile}": ${(e as Error).message}`);
    }
    if (!cacert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`URI parameter cacert: "${cacertFile}" holds no PEM certificate`);
  }
  let proxy = q.get('proxy') ?? undefined;
  if (proxy !== undefined) {
    // libvirt: proxy=[type://]hostname[:port] with type http (default), socks4, socks4a, socks5.
    if (!proxy.includes('://')) proxy = `http://${proxy}`;
    if (!proxy.startsWith('http://')) throw new ConfigError(`URI parameter proxy: only http proxies are supported, not "${proxy}"`);
    try {
      new URL(proxy);
    } catch {
      throw new ConfigError(`URI parameter proxy is not a valid host[:port]: "${q.get('proxy')}"`);
    }
  }
  const safe = new URL(raw);
  safe.password = '';
  return {
    uri: safe.toString(),
    scheme,
    transport,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    username: decodeURIComponent(u.username) || 'root',
    password,
    path,
    noVerify: flag('no_verify', q.get('no_verify') ?? '0'),
    autoAnswer: flag('auto_answer', q.get('auto_answer') ?? '0'),
    cacertFile,
    cacert,
    proxy,
    unknown,
  };
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${v}"`);
  return n;
}

function readSecretFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(`${name}: cannot read "${file}": ${(e as Error).message}`);
  }
}

/** Tokens: "tok1,tok2,ro:tok3" (ro: = read-only, may only GET). */
export function parseTokens(spec: string, source: string): Config['tokens'] {
  return spec
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => {
      const readOnly = t.startsWith('ro:');
      const token = readOnly ? t.slice(3) : t;
      if (token.length < 16) throw new ConfigError(`${source}: tokens must be at least 16 characters long`);
      return { token, readOnly };
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, simulatorUri?: string): Config {
  let password = env.ESXGATE_PASSWORD ?? '';
  if (env.ESXGATE_PASSWORD_FILE) password = readSecretFile('ESXGATE_PASSWORD_FILE', env.ESXGATE_PASSWORD_FILE);
  const uri = env.ESXGATE_URI || simulatorUri;
  if (!uri) throw new ConfigError('ESXGATE_URI is not set');
  const tokens = [
    ...(env.ESXGATE_TOKENS ? parseTokens(env.ESXGATE_TOKENS, 'ESXGATE_TOKENS') : []),
    ...(env.ESXGATE_TOKENS_FILE ? parseTokens(readSecretFile('ESXGATE_TOKENS_FILE', env.ESXGATE_TOKENS_FILE), 'ESXGATE_TOKENS_FILE') : []),
  ];
  const mirror = env.ESXGATE_MIRROR ?? '1';
  if (mirror !== '0' && mirror !== '1') throw new ConfigError(`ESXGATE_MIRROR must be 0 or 1, not "${mirror}"`);
  const level = env.ESXGATE_LOG_LEVEL ?? env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw new ConfigError(`ESXGATE_LOG_LEVEL "${level}" is not a pino level`);
  return {
    connection: parseConnectionUri(uri, password),
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8080, 0, 65535),
    logLevel: level,
    poolSize: int(env, 'ESXGATE_POOL_SIZE', 4, 1, 64),
    upstreamTimeoutMs: int(env, 'ESXGATE_UPSTREAM_TIMEOUT_MS', 60_000, 100, 3_600_000),
    maxResponseBytes: int(env, 'ESXGATE_MAX_RESPONSE_BYTES', 256 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
    bodyLimit: int(env, 'ESXGATE_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    tokens,
    mirror: mirror === '1',
    rateLimit: int(env, 'ESXGATE_RATE_LIMIT', 0, 0, 1_000_000),
    corsOrigin: env.ESXGATE_CORS_ORIGIN || null,
    simulator: !env.ESXGATE_URI && !!simulatorUri,
  };
}
