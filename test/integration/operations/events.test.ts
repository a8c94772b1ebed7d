// The SSE stream read by a real HTTP client (fetch), Last-Event-ID replay, lifecycle events and the
// mirror seeing changes made outside the gateway, read-your-writes, and session loss of the update loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import { rawClient } from '../../helpers/vi.js';
import type { ViClient } from '../../../src/vi/client.js';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { vmByName } from './helpers.js';

// Short WaitForUpdatesEx rounds: the session-loss test need not wait out a 30 s round.
process.env.ESXGATE_UPDATE_WAIT_SECONDS = '3';

let sim: Sim;
let gw: Gateway;
let outside: ViClient;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 2, taskDelay: 600 });
  gw = await startGateway(sim);
  outside = await rawClient(sim);
});
afterAll(async () => {
  await outside?.close();
  await gw?.close();
  await sim?.stop();
});

interface Sse {
  id?: string;
  event?: string;
  data?: any;
}

/** Reads an SSE stream until `until` matches an event (or the stream ends); returns all events. */
async function readEvents(url: string, until: (e: Sse, all: Sse[]) => boolean, headers: Record<string, string> = {}, onOpen?: () => Promise<void>): Promise<Sse[]> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: Sse[] = [];
  let buf = '';
  const opened = onOpen?.();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return out;
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const e: Sse = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = line.slice(4);
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
        }
        if (!e.event) continue; // comments, retry
        out.push(e);
        if (until(e, out)) return out;
      }
    }
  } finally {
    ac.abort();
    await opened;
  }
}

const vmCall = (m: string, vm: MoRef) => gw.app.drivers.conn.vi.call<MoRef>(m, { _this: vm });

describe('events', () => {
  it('streams operation progress and lifecycle changes, also ones made outside the gateway', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM0');
    let opId = '';
    const events = await readEvents(
      `${gw.url}/v1/events?type=operation,lifecycle`,
      (_e, all) => all.some((x) => x.event === 'lifecycle' && x.data.kind === 'started' && x.data.moref === vm.value),
      {},
      async () => {
        const op = await gw.app.drivers.operations.start({ kind: 'domain.destroy', target: { type: 'domain', moref: vm.value }, vm, begin: () => vmCall('PowerOffVM_Task', vm) });
        opId = op.id;
        await gw.app.drivers.operations.wait(op.id, 20_000);
        // Outside the gateway: a second client powers the VM on.
        await outside.call('PowerOnVM_Task', { _this: vm });
      },
    );
    const ops = events.filter((e) => e.event === 'operation' && e.data.id === opId);
    expect(ops.length).toBeGreaterThan(1);
    expect(ops.some((e) => e.data.progress > 0 && e.data.progress < 100)).toBe(true);
    expect(ops[ops.length - 1]!.data.status).toBe('succeeded');
    expect(events.some((e) => e.event === 'lifecycle' && e.data.kind === 'stopped' && e.data.domain === 'ha-host_VM0')).toBe(true);
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // The mirror saw the outside change too.
    expect(gw.app.drivers.live.mirror.findVm('ha-host_VM0')?.props['runtime.powerState']).toBe('poweredOn');
  });

  it('replays buffered events after Last-Event-ID, filtered by type', async () => {
    const first = gw.app.drivers.events.since(0).events.find((e) => e.type === 'lifecycle')!;
    const replay = await readEvents(`${gw.url}/v1/events?type=lifecycle`, () => true, { 'last-event-id': String(first.id - 1) });
    expect(Number(replay[0]!.id)).toBe(first.id);
    expect(replay.every((e) => e.event === 'lifecycle')).toBe(true);
    const bad = await fetch(`${gw.url}/v1/events?type=nope`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).code).toBe('invalid-arg');
  });

  it('read-your-writes: when an operation finished, the mirror already shows its effect', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    const op = await gw.app.drivers.operations.start({ kind: 'domain.suspend', target: { type: 'domain' }, vm, begin: () => vmCall('SuspendVM_Task', vm) });
    expect((await gw.app.drivers.operations.wait(op.id, 20_000)).status).toBe('succeeded');
    expect(gw.app.drivers.live.mirror.findVm('ha-host_VM1')?.props['runtime.powerState']).toBe('suspended');
  });

  it('an operation completes although the update loop lost its session meanwhile', async () => {
    const loop = gw.app.drivers.live.loop;
    const key = await loop.sessionKey();
    expect(key).toBeTruthy();
    const resyncs = loop.resyncs;
    const vm = await vmByName(gw.app, 'ha-host_VM1');
    const op = await gw.app.drivers.operations.start({ kind: 'domain.resume', target: { type: 'domain' }, vm, begin: () => vmCall('PowerOnVM_Task', vm) });
    await outside.call('TerminateSession', { _this: outside.serviceContent.sessionManager, sessionId: [key] });
    const done = await gw.app.drivers.operations.wait(op.id, 45_000);
    expect(done.status).toBe('succeeded');
    // The loop noticed, logged in again and re-created its filters.
    const next = await loop.sessionKey();
    expect(next).not.toBe(key);
    await gw.app.drivers.live.loop.nextRound(45_000);
    expect(loop.resyncs).toBeGreaterThan(resyncs);
  });
});

describe('mirror-backed reads', () => {
  it('GET /v1/domains answers from the mirror and agrees with ESX', async () => {
    await fetch(`${gw.url}/v1/domains`);
    expect(gw.app.drivers.live.mirror.usable).toBe(true);
    const list = (await (await fetch(`${gw.url}/v1/domains`)).json()) as any;
    const names = list.items.map((d: { name: string }) => d.name).sort();
    expect(names).toEqual(['ha-host_VM0', 'ha-host_VM1']);
    const one = (await (await fetch(`${gw.url}/v1/domains/ha-host_VM1`)).json()) as any;
    expect(one.state).toBe('running');
    expect((await fetch(`${gw.url}/v1/domains/nope`)).status).toBe(404);
  });
});
