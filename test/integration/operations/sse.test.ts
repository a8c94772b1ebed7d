// GET /v1/events read by real HTTP clients: a VM question seen, answered and finished over HTTP
// alone; heartbeats; a client that never reads is dropped with `event: end` while what is queued
// for it stays bounded.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import { MAX_QUEUED } from '../../../src/api/events/routes.js';
import { runTask, setExtra, vmByName } from './helpers.js';
import { openSse } from './sse-client.js';

process.env.ESXGATE_SSE_HEARTBEAT_MS = '100';

let sim: Sim;
let gw: Gateway;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 1 });
  gw = await startGateway(sim); // auto_answer=0
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

const http = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${gw.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: (await r.json()) as any };
};

describe('event stream over HTTP', () => {
  it('shows a question with its text and choices; answering over the API finishes the operation', async () => {
    const vm = await vmByName(gw.app, 'ha-host_VM0');
    expect((await runTask(gw.app, 'PowerOffVM_Task', { _this: vm })).status).toBe('succeeded');
    const QUESTION = { 'esxsim.question': 'Did you move or copy it?', 'esxsim.question.choices': '0:Cancel,1:I moved it,2:I copied it', 'esxsim.question.default': '2' };
    expect((await setExtra(gw.app, vm, QUESTION)).status).toBe('succeeded');

    const stream = await openSse(`${gw.url}/v1/events?type=question,operation`);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const start = await http('POST', '/v1/domains/ha-host_VM0/actions/start?auto_answer=0');
      expect(start.status).toBe(202);
      const id = start.body.id as string;

      const q = await stream.next((e) => e.event === 'question' && e.data.operation === id);
      expect(q.id).toMatch(/^\d+$/);
      expect(q.data.question).toMatchObject({ text: 'Did you move or copy it?', default: '2' });
      expect(q.data.question.choices).toEqual([
        { key: '0', label: 'Cancel' },
        { key: '1', label: 'I moved it' },
        { key: '2', label: 'I copied it' },
      ]);
      expect(q.data.answered).toBeUndefined();
      const blocked = await stream.next((e) => e.event === 'operation' && e.data.id === id && e.data.status === 'blocked');
      expect(blocked.data.question.id).toBe(q.data.question.id);

      const ans = await http('POST', `/v1/operations/${id}/answer`, { choice: '1' });
      expect(ans.status).toBe(200);
      const answered = await stream.next((e) => e.event === 'question' && e.data.operation === id);
      expect(answered.data).toMatchObject({ answered: '1', by: 'client' });
      const done = await stream.next((e) => e.event === 'operation' && e.data.id === id && ['succeeded', 'failed', 'cancelled'].includes(e.data.status));
      expect(done.data).toMatchObject({ status: 'succeeded', progress: 100 });
      expect(done.data.question).toBeUndefined();
      // Only the requested types; ids increase.
      const typed = stream.events.filter((e) => e.event);
      expect(typed.every((e) => e.event === 'question' || e.event === 'operation')).toBe(true);
      const ids = typed.map((e) => Number(e.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      stream.close();
    }
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const stream = await openSse(`${gw.url}/v1/events?type=lifecycle`);
    try {
      await stream.next((e) => e.comment === 'heartbeat');
      await stream.next((e) => e.comment === 'heartbeat');
    } finally {
      stream.close();
    }
  });

  it('drops a client that does not read with event: end; what is queued for it stays bounded', async () => {
    const bus = gw.app.drivers.events;
    // The earlier tests' streams are gone once the server has seen them close.
    await vi.waitFor(() => expect(bus.stats().clients).toBe(0), { timeout: 10_000 });
    const before = 0;
    const { port } = new URL(gw.url);
    const sock = connect(Number(port), '127.0.0.1');
    sock.write(`GET /v1/events?type=operation HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    // Read the response head (the server has subscribed by then), then stop reading.
    const head = await new Promise<string>((resolve) => sock.once('data', (b: Buffer) => resolve(b.toString())));
    sock.pause();
    expect(head).toMatch(/^HTTP\/1.1 200/);
    expect(bus.stats().clients).toBe(before + 1);

    // Far more than the socket buffers and the per-client bound hold.
    const filler = 'x'.repeat(16 * 1024);
    let maxQueued = 0;
    for (let i = 0; i < 2000; i++) {
      bus.publish('operation', { id: `flood-${i}`, filler });
      maxQueued = Math.max(maxQueued, bus.stats().queuedBytes);
    }
    expect(bus.stats().clients).toBe(before); // dropped
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(MAX_QUEUED + 2 * filler.length);

    // When it reads at last, the stream ends with the reason.
    let text = '';
    sock.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      if (text.includes('event: end')) sock.destroy();
    });
    sock.resume();
    await new Promise((resolve) => sock.once('close', resolve));
    const tail = text.slice(text.lastIndexOf('event: end'));
    expect(tail).toMatch(/^event: end\ndata: \{"reason":"slow-client/);
  });
});
