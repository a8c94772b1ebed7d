// Test helper: an esxgate app against a simulator, listening on a free loopback port.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Sim } from './esxsim.js';

export interface Gateway {
  app: FastifyInstance;
  /** http://127.0.0.1:PORT */
  url: string;
  config: Config;
  close(): Promise<void>;
}

/** The esx:// or vpx:// URI of a simulator, with extra query parameters. */
export function simUri(sim: Sim, o: { vpx?: boolean; query?: string; path?: string; user?: string } = {}): string {
  const q = o.query ?? 'no_verify=1';
  return `${o.vpx ? 'vpx' : 'esx'}://${encodeURIComponent(o.user ?? sim.username)}@${sim.host}:${sim.port}${o.path ?? '/'}${q ? `?${q}` : ''}`;
}

export interface GatewayOptions {
  vpx?: boolean;
  query?: string;
  path?: string;
  password?: string;
  env?: Record<string, string>;
  /** pino options or false (default: silent unless ESXGATE_TEST_LOG is set). */
  logger?: Parameters<typeof buildApp>[0]['logger'];
  listen?: boolean;
}

export async function startGateway(sim: Sim, o: GatewayOptions = {}): Promise<Gateway> {
  const config = loadConfig({
    ESXGATE_URI: simUri(sim, o),
    ESXGATE_PASSWORD: o.password ?? sim.password,
    ESXGATE_LOG_LEVEL: process.env.ESXGATE_TEST_LOG ?? 'silent',
    ...o.env,
  });
  const app = await buildApp({ config, logger: o.logger ?? (process.env.ESXGATE_TEST_LOG ? { level: process.env.ESXGATE_TEST_LOG } : false) });
  let url = '';
  if (o.listen !== false) url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, config, close: () => app.close() };
}
