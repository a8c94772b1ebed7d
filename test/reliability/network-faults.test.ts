// Scenario 3: a TCP proxy between gateway and simulator delays, truncates, resets and blackholes
// connections under load. Invariants: every response is a success or a clean 502/504 problem+json,
// no request hangs past the upstream timeout, nothing unhandled, the gateway recovers when the
// network does, and afterwards neither heap (after GC) nor open sockets have grown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type FaultProxy, type ProxyFault, startFaultProxy } from '../helpers/fault-proxy.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gcHeap } from './support/gateway-info.js';
import { installGuards, type Guards } from './support/guards.js';
import { isCleanUpstreamProblem, isOk, sleep, startLoad, until, type Sample } from './support/load.js';
import { tally, writeResult } from './support/results.js';

const TIMEOUT_MS = 1000;
const ROUNDS = 2;
const FAULTS: Array<{ fault: ProxyFault; expect: number[] }> = [
  { fault: { kind: 'delay', ms: TIMEOUT_MS * 2 }, expect: [504] },
  { fault: { kind: 'truncate', afterBytes: 200 }, expect: [502] },
  { fault: { kind: 'truncate', afterBytes: 4000 }, expect: [502] },
  { fault: { kind: 'truncate', afterBytes: 12_000 }, expect: [502] },
  { fault: { kind: 'reset' }, expect: [502] },
  { fault: { kind: 'blackhole' }, expect: [504] },
];
const PATHS = ['/v1/domains', '/v1/node', '/v1/connection'];

/** Open TCP/TLS handles of this process (gateway, proxy and clients all live here). */
const sockets = () => process.getActiveResourcesInfo().filter((n) => n === 'TCPSocketWrap' || n === 'TLSWrap').length;
const name = (f: ProxyFault) => (f.kind === 'delay' ? `delay ${f.ms}ms` : f.kind === 'truncate' ? `truncate@${f.afterBytes}B` : f.kind);

describe('network faults', () => {
  let sim: Sim;
  let proxy: FaultProxy;
  let gw: Gateway;
  let guards: Guards;

  beforeAll(async () => {
    guards = installGuards();
    sim = await startSim({ esx: true, vms: 3 });
    proxy = await startFaultProxy({ host: sim.host, port: sim.port });
    gw = await startGateway({ ...sim, host: proxy.host, port: proxy.port }, { env: { ESXGATE_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), ESXGATE_POOL_SIZE: '2' } });
  });
  afterAll(async () => {
    guards?.dispose();
    await gw?.close();
    await proxy?.close();
    await sim?.stop();
  });

  const healthy = async (n: number): Promise<Sample[]> => startLoad({ base: gw.url, paths: PATHS, clients: 3, maxRequests: n, maxMs: 20_000 }).done;

  it('turns every fault into a clean problem, recovers, and leaks neither memory nor sockets', async () => {
    // Warm-up, then the baseline.
    expect((await healthy(60)).every(isOk)).toBe(true);
    await sleep(200);
    const heapBefore = await gcHeap();
    const socketsBefore = sockets();

    const all: Sample[] = [];
    const unexpected: string[] = [];
    const recoveries: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const { fault, expect: statuses } of FAULTS) {
        proxy.setFault(fault);
        const samples = await startLoad({ base: gw.url, paths: PATHS, clients: 3, maxRequests: 9, maxMs: 30_000, timeoutMs: TIMEOUT_MS * 4 }).done;
        all.push(...samples);
        for (const s of samples) {
          if (isOk(s)) continue;
          if (!isCleanUpstreamProblem(s) || !statuses.includes(s.status)) unexpected.push(`${name(fault)}: ${s.status} ${s.code ?? s.error} ${s.detail ?? ''}`);
        }
        if (fault.kind !== 'truncate' && samples.every(isOk)) unexpected.push(`${name(fault)}: the fault was not visible at all`);
        proxy.setFault({ kind: 'pass' });
        const t0 = Date.now();
        const back = await until(async () => (await fetch(`${gw.url}/v1/node`)).ok, 10_000, 20);
        recoveries.push(back === null ? Infinity : Date.now() - t0);
      }
    }

    // Settle: healthy traffic again, idle sockets of failed connections gone.
    const after = await healthy(60);
    await sleep(500);
    const heapAfter = await gcHeap();
    const socketsAfter = sockets();
    const failures = all.filter((s) => !isOk(s));
    writeResult({
      scenario: '3-network-faults',
      injected: `TCP proxy, ${ROUNDS} rounds of: ${FAULTS.map((f) => name(f.fault)).join(', ')} (upstream timeout ${TIMEOUT_MS} ms)`,
      requests: all.length + after.length + 60,
      failures: failures.length,
      failureKinds: tally(failures, (s) => `${s.status} ${s.code ?? s.error ?? ''}`.trim()),
      memoryBefore: heapBefore,
      memoryAfter: heapAfter,
      metrics: {
        'sockets before': socketsBefore,
        'sockets after': socketsAfter,
        'max latency ms': Math.max(...all.map((s) => s.end - s.start)),
        'max recovery ms': Math.max(...recoveries),
        'process events': guards.events.length,
        'proxy conns': proxy.accepted,
      },
    });

    expect(unexpected, 'only clean 502/504 problems, and every fault visible').toEqual([]);
    expect(Math.max(...all.map((s) => s.end - s.start)), 'no request outlives the upstream timeout by much').toBeLessThan(TIMEOUT_MS * 3);
    expect(Math.max(...recoveries), 'recovers once the network is fine').toBeLessThan(5000);
    expect(after.every(isOk), 'healthy afterwards').toBe(true);
    expect(guards.events, 'no unhandled rejection / uncaught exception').toEqual([]);
    expect(heapAfter - heapBefore, 'heap growth after GC').toBeLessThan(4 * 1024 * 1024);
    expect(socketsAfter - socketsBefore, 'open sockets').toBeLessThanOrEqual(4);
  });
});
