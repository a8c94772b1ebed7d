// GET /v1/domains/{domain} (definition + runtime), /xml, and the lifecycle actions on an ESX simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;
let vm0: string;
let vm1: string;

const get = (url: string, headers: Record<string, string> = {}) => gw.app.inject({ method: 'GET', url, headers });
const act = (d: string, action: string, q = '?wait=30') => gw.app.inject({ method: 'POST', url: `/v1/domains/${encodeURIComponent(d)}/actions/${action}${q}` });
const state = async (d: string) => (await get(`/v1/domains/${encodeURIComponent(d)}`)).json().state as string;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 2 });
  gw = await startGateway(sim, { listen: false });
  const names = (await get('/v1/domains')).json().items.map((d: { name: string }) => d.name);
  [vm0, vm1] = names;
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

describe('GET /v1/domains/{domain}', () => {
  it('returns the summary fields, the definition from config and the runtime', async () => {
    const res = await get(`/v1/domains/${vm0}`);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    const list = (await get('/v1/domains')).json().items.find((x: { name: string }) => x.name === vm0);
    for (const k of ['name', 'uuid', 'id', 'state', 'memory', 'vcpus', 'autostart', 'moref']) expect(d[k]).toEqual(list[k]);
    expect(d.definition).toMatchObject({ type: 'vmware', name: vm0, uuid: d.uuid, memory: d.memory, vcpu: { count: d.vcpus }, os: { type: 'hvm' } });
    const disk = d.definition.devices.disks.find((x: { device: string }) => x.device === 'disk');
    expect(disk).toMatchObject({ type: 'file', target: { bus: 'scsi' } });
    expect(disk.source.file).toMatch(/^\[LocalDS_0\] .+\.vmdk$/);
    expect(d.definition.devices.interfaces[0]).toMatchObject({ type: 'bridge', source: { bridge: 'VM Network' }, model: { type: 'e1000' } });
    expect(d.definition.devices.interfaces[0].mac.address).toMatch(/^00:0c:29:/);
    expect(d.definition.devices.controllers).toContainEqual({ type: 'scsi', index: 0, model: 'vmpvscsi' });
    expect(d.runtime).toMatchObject({ state: d.state, id: d.id, cpuTime: null });
    expect(Array.isArray(d.runtime.guest.ipAddresses)).toBe(true);
  });

  it('reports the guest hostname and addresses VMware Tools gives', async () => {
    const ref = { type: 'VirtualMachine', value: (await get(`/v1/domains/${vm1}`)).json().moref };
    const task = await gw.app.drivers.conn.vi.call('ReconfigVM_Task', {
      _this: ref,
      spec: { extraConfig: [{ key: 'SET.guest.ipAddress', value: '10.0.0.7' }, { key: 'SET.guest.hostName', value: 'web7' }] },
    });
    expect(task).toBeTruthy();
    await expect.poll(async () => (await get(`/v1/domains/${vm1}`)).json().runtime.guest.ipAddresses, { timeout: 10_000 }).toContain('10.0.0.7');
  });

  it('answers libvirt domain XML on /xml and with Accept: application/xml', async () => {
    const res = await get(`/v1/domains/${vm0}/xml`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toMatch(/^<domain type=['"]vmware['"]/);
    expect(res.body).toContain(`<name>${vm0}</name>`);
    const neg = await get(`/v1/domains/${vm0}`, { accept: 'application/xml' });
    expect(neg.headers['content-type']).toMatch(/^application\/xml/);
    expect(neg.body).toBe(res.body);
    expect((await get(`/v1/domains/${vm0}`, { accept: 'application/json, application/xml' })).headers['content-type']).toMatch(/json/);
  });

  it('404s with no-domain for an unknown name, UUID or id', async () => {
    for (const d of ['nope', '11111111-2222-3333-4444-555555555555', '999999']) {
      const res = await get(`/v1/domains/${d}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('no-domain');
      expect((await get(`/v1/domains/${d}/xml`)).statusCode).toBe(404);
    }
  });
});

describe('POST /v1/domains/{domain}/actions/{action}', () => {
  it('runs task actions as operations: 202 + Location without wait', async () => {
    expect(await state(vm0)).toBe('running');
    const res = await act(vm0, 'suspend', '');
    expect([200, 202]).toContain(res.statusCode);
    expect(res.headers.location).toMatch(/^\/v1\/operations\/.+/);
    expect(res.json()).toMatchObject({ kind: 'domain.suspend', target: { type: 'domain', name: vm0 } });
    const op = await gw.app.inject({ method: 'GET', url: `${res.headers.location}/wait?timeout=30` });
    expect(op.json().status).toBe('succeeded');
    expect(await state(vm0)).toBe('paused');
  });

  it('resume, destroy, start and reset with ?wait answer the finished operation', async () => {
    for (const [action, after] of [['resume', 'running'], ['reset', 'running'], ['destroy', 'shutoff'], ['start', 'running']] as const) {
      const res = await act(vm0, action);
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
      expect(res.json().status).toBe('succeeded');
      expect(await state(vm0)).toBe(after);
    }
  });

  it('checks the state first: 409 operation-invalid with InvalidPowerState', async () => {
    for (const action of ['start', 'resume']) {
      const res = await act(vm0, action);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'operation-invalid', fault: 'InvalidPowerState', state: 'running' });
    }
  });

  it('shutdown and reboot ask the guest through Tools: 202 with the request, no Location', async () => {
    const reboot = await act(vm0, 'reboot', '');
    expect(reboot.statusCode, reboot.body).toBe(202);
    expect(reboot.headers.location).toBeUndefined();
    expect(reboot.json()).toMatchObject({ domain: vm0, action: 'reboot', state: 'running' });
    await expect.poll(async () => (await get(`/v1/domains/${vm0}`)).json().runtime.guest.tools, { timeout: 10_000 }).toBe('guestToolsRunning');
    const res = await act(vm0, 'shutdown', '');
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ domain: vm0, action: 'shutdown' });
    await expect.poll(() => state(vm0), { timeout: 10_000 }).toBe('shutoff');
    const again = await act(vm0, 'shutdown', '');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('operation-invalid');
  });

  it('rejects unknown actions and domains', async () => {
    expect((await act(vm0, 'explode')).statusCode).toBe(400);
    const res = await act('nope', 'start');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('no-domain');
  });
});

describe('faults from ESX', () => {
  let fsim: Sim;
  let fgw: Gateway;
  beforeAll(async () => {
    fsim = await startSim({ esx: true, vms: 1, faults: { PowerOffVM_Task: 'InvalidPowerState', ShutdownGuest: 'ToolsUnavailable' } });
    fgw = await startGateway(fsim, { listen: false });
  });
  afterAll(async () => {
    await fgw?.close();
    await fsim?.stop();
  });

  it('maps InvalidPowerState and ToolsUnavailable raised by ESX to 409 operation-invalid with the fault', async () => {
    const name = (await fgw.app.inject({ method: 'GET', url: '/v1/domains' })).json().items[0].name;
    for (const [action, fault] of [['destroy', 'InvalidPowerState'], ['shutdown', 'ToolsUnavailable']]) {
      const res = await fgw.app.inject({ method: 'POST', url: `/v1/domains/${name}/actions/${action}?wait=10` });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'operation-invalid', fault });
    }
    expect((await fgw.app.inject({ method: 'GET', url: `/v1/domains/${name}` })).json().state).toBe('running');
  });
});
