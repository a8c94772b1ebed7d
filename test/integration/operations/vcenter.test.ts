// Operations against a vCenter simulator (vpx://): actions with ?wait, progress of a delayed task,
// cancel, and VM questions in both auto_answer modes, all over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import type { GatewayEvent } from '../../../src/drivers/events.js';
import { setExtra, settled } from './helpers.js';

let sim: Sim;
let gw: Gateway;
let names: string[] = [];

beforeAll(async () => {
  sim = await startSim({ vms: 4, taskDelay: 800, extraArgs: ['-cluster', '0', '-host', '0', '-standalone-host', '1'] });
  gw = await startGateway(sim, { vpx: true }); // auto_answer=0
  names = ((await http('GET', '/v1/domains')).body.items as Array<{ name: string }>).map((d) => d.name).sort();
  expect(gw.app.drivers.conn.vi.isVCenter).toBe(true);
  expect(names.length).toBe(4);
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

async function http(method: string, path: string, body?: unknown) {
  const r = await fetch(`${gw.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: (await r.json()) as any };
}
const action = (name: string, what: string, q = 'wait=30') => http('POST', `/v1/domains/${name}/actions/${what}?${q}`);
const QUESTION = { 'esxsim.question': 'Did you move or copy it?', 'esxsim.question.choices': '0:Cancel,1:I moved it,2:I copied it', 'esxsim.question.default': '2' };

/** Records bus events while fn runs. */
async function recording<T>(fn: () => Promise<T>): Promise<{ result: T; events: GatewayEvent[] }> {
  const events: GatewayEvent[] = [];
  const off = gw.app.drivers.events.subscribe((e) => events.push(e));
  try {
    return { result: await fn(), events };
  } finally {
    off();
  }
}

async function shutOffWithQuestion(name: string): Promise<void> {
  expect((await action(name, 'destroy')).body.status).toBe('succeeded');
  const vm = { type: 'VirtualMachine', value: (await http('GET', `/v1/domains/${name}`)).body.moref as string };
  expect((await setExtra(gw.app, vm, QUESTION)).status).toBe('succeeded');
}

describe('operations on vCenter', () => {
  it('destroy and start with ?wait=30 report progress and finish with the new state', async () => {
    const name = names[0]!;
    const { result, events } = await recording(async () => [await action(name, 'destroy'), await action(name, 'start')]);
    for (const r of result) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(result.map((r) => r.body.status)).toEqual(['succeeded', 'succeeded']);
    expect(result[1]!.body.id).toMatch(/^task-\d+$/);
    const progress = events.filter((e) => e.type === 'operation' && e.data.id === result[0]!.body.id).map((e) => e.data.progress as number);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect((await http('GET', `/v1/domains/${name}`)).body.state).toBe('running');
  });

  it('cancels a running task (DELETE /v1/operations/{id}); the domain keeps its state', async () => {
    const name = names[1]!;
    const started = await action(name, 'destroy', ''); // no wait: 202 while it runs
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('running');
    const cancel = await http('DELETE', `/v1/operations/${started.body.id}`);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202); // requested; the task ends cancelled
    expect(cancel.body.id).toBe(started.body.id);
    const done = await settled(gw.app, started.body.id);
    expect(done.status).toBe('cancelled');
    expect((await http('GET', `/v1/domains/${name}`)).body.state).toBe('running');
  });

  it('auto_answer=0: the start is blocked by the question; answering over the API lets it finish', async () => {
    const name = names[2]!;
    await shutOffWithQuestion(name);
    const start = await action(name, 'start', 'wait=30&auto_answer=0');
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ status: 'blocked', question: { text: 'Did you move or copy it?', default: '2' } });
    expect(start.body.question.choices.map((c: { label: string }) => c.label)).toEqual(['Cancel', 'I moved it', 'I copied it']);
    // A second start meanwhile: the question is reported, nothing is started.
    const again = await action(name, 'start', 'auto_answer=0');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('question-pending');
    const ans = await http('POST', `/v1/operations/${start.body.id}/answer`, { choice: '2' });
    expect(ans.status).toBe(200);
    const done = await http('GET', `/v1/operations/${start.body.id}/wait?timeout=30`);
    expect(done.body.status).toBe('succeeded');
    expect((await http('GET', `/v1/domains/${name}`)).body.state).toBe('running');
  });

  it('auto_answer=1: the default choice is given and the start finishes', async () => {
    const name = names[3]!;
    await shutOffWithQuestion(name);
    const { result: start, events } = await recording(() => action(name, 'start', 'wait=30&auto_answer=1'));
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'question' && e.data.operation === start.body.id && e.data.answered === '2' && e.data.by === 'auto_answer')).toBe(true);
    expect((await http('GET', `/v1/domains/${name}`)).body.state).toBe('running');
  });
});
