// A bounded load generator: a few concurrent clients on loopback, each looping over a list of
// paths until stopped, a deadline or a request budget is reached. Every response is recorded
// (timing, status, problem code, content type) so scenarios can reason about which requests
// failed and when.
import { Agent, request } from 'undici';

export interface Sample {
  path: string;
  start: number;
  end: number;
  status: number;
  code?: string;
  /** problem detail of a failure (for the report and assertion messages). */
  detail?: string;
  ctype: string;
  /** Set when the request itself failed (socket error), not the gateway. */
  error?: string;
}

export interface LoadOptions {
  /** http://127.0.0.1:PORT */
  base: string;
  paths: string[];
  clients?: number;
  /** Hard bounds: whichever comes first. */
  maxRequests?: number;
  maxMs?: number;
  /** Pause between one client's requests. */
  pauseMs?: number;
  /** Per-request client timeout (a hung request shows up as an error sample). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface Load {
  samples: Sample[];
  /** Stops issuing requests and waits for the ones in flight. */
  stop(): Promise<Sample[]>;
  done: Promise<Sample[]>;
}

const UPSTREAM = new Set([502, 503, 504]);

/** A failure the gateway is allowed to show while ESX is away: 502/503/504 problem+json with a code. */
export function isCleanUpstreamProblem(s: Sample): boolean {
  return UPSTREAM.has(s.status) && s.ctype.startsWith('application/problem+json') && typeof s.code === 'string' && s.code.length > 0;
}

export const isOk = (s: Sample) => s.status >= 200 && s.status < 300;

export function startLoad(o: LoadOptions): Load {
  const agent = new Agent({ connections: o.clients ?? 4, keepAliveTimeout: 2000 });
  const samples: Sample[] = [];
  const deadline = Date.now() + (o.maxMs ?? 30_000);
  const budget = o.maxRequests ?? 10_000;
  let stopped = false;
  let i = 0;

  const one = async (path: string): Promise<void> => {
    const start = Date.now();
    try {
      const res = await request(`${o.base}${path}`, {
        dispatcher: agent,
        headers: o.headers,
        headersTimeout: o.timeoutMs ?? 15_000,
        bodyTimeout: o.timeoutMs ?? 15_000,
      });
      const ctype = String(res.headers['content-type'] ?? '');
      const text = await res.body.text();
      let code: string | undefined;
      let detail: string | undefined;
      if (ctype.includes('json') && res.statusCode >= 400) {
        try {
          ({ code, detail } = JSON.parse(text) as { code?: string; detail?: string });
        } catch {
          /* recorded without a code */
        }
      }
      samples.push({ path, start, end: Date.now(), status: res.statusCode, code, detail, ctype });
    } catch (e) {
      samples.push({ path, start, end: Date.now(), status: 0, ctype: '', error: (e as Error).message });
    }
  };

  const client = async (): Promise<void> => {
    while (!stopped && Date.now() < deadline && i < budget) {
      const path = o.paths[i++ % o.paths.length]!;
      await one(path);
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };

  const done = Promise.all(Array.from({ length: o.clients ?? 4 }, client)).then(async () => {
    await agent.close();
    return samples;
  });
  return {
    samples,
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every `every` ms until it returns true or `ms` pass; returns the elapsed ms or null. */
export async function until(fn: () => Promise<boolean> | boolean, ms: number, every = 50): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await Promise.resolve().then(fn).catch(() => false)) return Date.now() - t0;
    await sleep(every);
  }
  return null;
}
