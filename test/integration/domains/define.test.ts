// POST /v1/domains (define), PUT (edit), PATCH (tuning), DELETE (undefine) on an ESX simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoRef } from '../../../src/vi/soap/encode.js';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;

const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  gw.app.inject({ method, url, headers, ...(body === undefined ? {} : typeof body === 'string' ? { payload: body, headers: { 'content-type': 'application/xml', ...headers } } : { payload: body as object }) });
const names = async () => (await req('GET', '/v1/domains')).json().items.map((d: { name: string }) => d.name) as string[];

/** VM names as ESX has them right now (not through the gateway's mirror). */
async function esxNames(): Promise<string[]> {
  const s = await gw.app.drivers.conn.scope();
  return (await gw.app.drivers.conn.vi.pc.container(s.datacenter, [{ type: 'VirtualMachine', pathSet: ['name'] }])).map((o) => String(o.props.name)).sort();
}

/** A VMDK on the simulator's datastore (define attaches existing disks, as libvirt does). */
async function makeDisk(path: string): Promise<void> {
  await gw.app.drivers.conn.scope();
  const vi = gw.app.drivers.conn.vi;
  const ops = gw.app.drivers.operations;
  const op = await ops.start({
    kind: 'test.disk',
    target: { type: 'volume' },
    begin: () => vi.call<MoRef>('CreateVirtualDisk_Task', { _this: vi.serviceContent.virtualDiskManager, name: path, spec: { _type: 'FileBackedVirtualDiskSpec', diskType: 'thin', adapterType: 'lsiLogic', capacityKb: 1024 } }),
  });
  const done = await ops.wait(op.id, 30_000);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
}

const base = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  memory: 65536,
  vcpu: { count: 2 },
  os: { type: 'hvm', arch: 'x86_64' },
  devices: {
    disks: [
      { type: 'file', device: 'disk', source: { file: '[LocalDS_0] disks/a.vmdk' }, target: { dev: 'sda', bus: 'scsi' } },
      { type: 'file', device: 'cdrom', source: { file: '[LocalDS_0] iso/boot.iso' }, target: { dev: 'hdc', bus: 'ide' } },
    ],
    controllers: [{ type: 'scsi', index: 0, model: 'vmpvscsi' }],
    interfaces: [{ type: 'bridge', source: { bridge: 'VM Network' }, model: { type: 'vmxnet3' } }],
    serials: [{ type: 'file', source: { path: '[LocalDS_0] logs/serial0.log' }, target: { port: 0 } }],
  },
  ...extra,
});

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 1 });
  gw = await startGateway(sim, { listen: false });
  await gw.app.drivers.conn.scope();
  const vi = gw.app.drivers.conn.vi;
  await vi.call('MakeDirectory', { _this: vi.serviceContent.fileManager, name: '[LocalDS_0] disks', createParentDirectories: true });
  await makeDisk('[LocalDS_0] disks/a.vmdk');
  await makeDisk('[LocalDS_0] disks/b.vmdk');
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

describe('POST /v1/domains', () => {
  it('defines a domain from JSON: 201, Location, and the definition reads back', async () => {
    const res = await req('POST', '/v1/domains', base('web1', { description: 'line 1\nline "2" | x' }));
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json();
    expect(res.headers.location).toBe(`/v1/domains/${d.uuid}`);
    expect(d).toMatchObject({ name: 'web1', state: 'shutoff', memory: 65536, vcpus: 2, id: null });
    expect(d.definition).toMatchObject({ description: 'line 1\nline "2" | x', os: { arch: 'x86_64' } });
    const dev = d.definition.devices;
    expect(dev.disks).toContainEqual(expect.objectContaining({ device: 'disk', source: { file: '[LocalDS_0] disks/a.vmdk' }, target: { dev: 'sda', bus: 'scsi' } }));
    expect(dev.disks).toContainEqual(expect.objectContaining({ device: 'cdrom', source: { file: '[LocalDS_0] iso/boot.iso' }, target: { dev: 'hdc', bus: 'ide' } }));
    expect(dev.controllers).toContainEqual({ type: 'scsi', index: 0, model: 'vmpvscsi' });
    expect(dev.interfaces).toEqual([expect.objectContaining({ type: 'bridge', source: { bridge: 'VM Network' }, model: { type: 'vmxnet3' } })]);
    expect(dev.serials).toEqual([{ type: 'file', source: { path: '[LocalDS_0] logs/serial0.log' }, target: { port: 0 } }]);
    expect((await req('GET', `/v1/domains/${d.uuid}`)).json().name).toBe('web1');
  });

  it('defines from libvirt domain XML', async () => {
    const xml = `<domain type='vmware'><name>xml1</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='i686'>hvm</type></os>
      <devices><disk type='file' device='disk'><source file='[LocalDS_0] disks/b.vmdk'/><target dev='sda' bus='scsi'/></disk></devices></domain>`;
    const res = await req('POST', '/v1/domains', xml);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'xml1', memory: 65536, vcpus: 1 });
    expect(res.json().definition.devices.disks[0].source.file).toBe('[LocalDS_0] disks/b.vmdk');
  });

  it('round-trips names with < > & " \' % / \\ | and non-ASCII exactly', async () => {
    const name = `a<b>&"'%25/\\|ä漢`;
    const res = await req('POST', '/v1/domains', { name, memory: 32768 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().name).toBe(name);
    // The list may come from the live mirror, which follows ESX's updates a moment later.
    await expect.poll(names, { timeout: 10_000 }).toContain(name);
    expect((await req('GET', `/v1/domains/${encodeURIComponent(name)}`)).json().name).toBe(name);
    expect((await req('GET', `/v1/domains/${encodeURIComponent(name)}/xml`)).body).toContain('<name>a&lt;b&gt;&amp;');
    expect((await req('DELETE', `/v1/domains/${encodeURIComponent(name)}`)).statusCode).toBe(204);
  });

  it('400 invalid-arg (problem+json) for a missing or empty body, on define and on edit', async () => {
    const before = await esxNames();
    const cases = [
      { method: 'POST' as const, url: '/v1/domains' },
      { method: 'POST' as const, url: '/v1/domains', headers: { 'content-type': 'application/json' } },
      { method: 'POST' as const, url: '/v1/domains', payload: '', headers: { 'content-type': 'application/xml' } },
      { method: 'POST' as const, url: '/v1/domains', payload: '  \n', headers: { 'content-type': 'application/xml' } },
      { method: 'PUT' as const, url: `/v1/domains/${encodeURIComponent(before[0]!)}` },
    ];
    for (const c of cases) {
      const r = await gw.app.inject(c);
      expect([r.statusCode, r.headers['content-type']], `${c.method} ${JSON.stringify(c.headers ?? {})} ${JSON.stringify(c.payload)}`).toEqual([400, expect.stringMatching(/application\/problem\+json/)]);
      const body = r.json();
      expect(body.code).toBe('invalid-arg');
      if (!c.headers?.['content-type']?.includes('json')) expect(body.detail).toBe('a domain definition is required (JSON or libvirt XML)');
    }
    expect(await esxNames()).toEqual(before);
  });

  it('409 dom-exist for an existing name or UUID', async () => {
    const res = await req('POST', '/v1/domains', { name: 'web1', memory: 32768 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('dom-exist');
    const uuid = (await req('GET', '/v1/domains/web1')).json().uuid;
    const byUuid = await req('POST', '/v1/domains', { name: 'other', uuid, memory: 32768 });
    expect(byUuid.statusCode).toBe(409);
  });

  it('400 naming the element ESX cannot express, and nothing is left behind', async () => {
    const before = await esxNames();
    const fs = await req('POST', '/v1/domains', base('bad1', { devices: { filesystems: [{ type: 'mount', source: { dir: '/x' }, target: { dir: 'x' } }] } }));
    expect(fs.statusCode).toBe(400);
    expect(fs.json()).toMatchObject({ code: 'config-unsupported', element: 'devices/filesystem' });
    const nic = await req('POST', '/v1/domains', { name: 'bad2', memory: 32768, devices: { interfaces: [{ type: 'user' }] } });
    expect(nic.json()).toMatchObject({ status: 400, element: 'devices/interface[1]@type' });
    const typo = await req('POST', '/v1/domains', { name: 'bad3', memory: 32768, memroy: 1 });
    expect(typo.statusCode).toBe(400);
    const xml = await req('POST', '/v1/domains', `<domain type='vmware'><name>bad4</name><memory>65536</memory><os><type>hvm</type></os><bogus/></domain>`);
    expect(xml.statusCode).toBe(400);
    expect(xml.json().detail).toMatch(/bogus/);
    const broken = await req('POST', '/v1/domains', '<domain');
    expect(broken.statusCode).toBe(400);
    const net = await req('POST', '/v1/domains', { name: 'bad5', memory: 32768, devices: { interfaces: [{ type: 'bridge', source: { bridge: 'no such pg' } }] } });
    expect(net.json()).toMatchObject({ code: 'no-network' });
    const disk = await req('POST', '/v1/domains', { name: 'bad6', memory: 32768, devices: { disks: [{ type: 'file', device: 'disk', source: { file: '[LocalDS_0] nope/x.vmdk' }, target: { dev: 'sda' } }] } });
    expect(disk.statusCode, disk.body).toBeGreaterThanOrEqual(400);
    expect(disk.statusCode).toBeLessThan(500);
    expect(await esxNames()).toEqual(before);
  });
});

describe('PUT and PATCH /v1/domains/{domain}', () => {
  it('PUT replaces the definition of a shut-off domain, keeping unchanged devices', async () => {
    const cur = (await req('GET', '/v1/domains/web1')).json();
    const mac = cur.definition.devices.interfaces[0].mac.address;
    const def = structuredClone(cur.definition);
    def.memory = 131072;
    def.currentMemory = 131072;
    def.devices.disks = def.devices.disks.filter((d: { device: string }) => d.device === 'disk');
    def.devices.interfaces.push({ type: 'bridge', source: { bridge: 'VM Network' }, model: { type: 'e1000' } });
    const res = await req('PUT', '/v1/domains/web1', def);
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.memory).toBe(131072);
    expect(d.definition.devices.disks.map((x: { device: string }) => x.device)).toEqual(['disk']);
    expect(d.definition.devices.interfaces).toHaveLength(2);
    expect(d.definition.devices.interfaces[0].mac.address).toBe(mac);
  });

  it('PATCH tunes memory, vcpus, scheduler and autostart', async () => {
    const res = await req('PATCH', '/v1/domains/web1', { memory: 98304, vcpus: 4, currentMemory: 65536, scheduler: { cpu: { shares: 3000 }, memory: { reservation: 32768 } }, autostart: true });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d).toMatchObject({ memory: 98304, vcpus: 4, autostart: true });
    expect(d.definition).toMatchObject({ currentMemory: 65536, cputune: { shares: 3000 }, memtune: { minGuarantee: 32768 } });
    const off = await req('PATCH', '/v1/domains/web1', { autostart: false });
    expect(off.json().autostart).toBe(false);
    expect((await req('PATCH', '/v1/domains/web1', {})).statusCode).toBe(400);
    expect((await req('PATCH', '/v1/domains/web1', { memory: 65536, maxMemory: 32768 })).statusCode).toBe(400);
  });

  it('refuses to change a running domain: 409 operation-invalid', async () => {
    const running = (await req('GET', '/v1/domains?state=running')).json().items[0].name;
    const patch = await req('PATCH', `/v1/domains/${running}`, { vcpus: 2 });
    expect(patch.statusCode).toBe(409);
    expect(patch.json()).toMatchObject({ code: 'operation-invalid', fault: 'InvalidPowerState' });
    const def = (await req('GET', `/v1/domains/${running}`)).json().definition;
    expect((await req('PUT', `/v1/domains/${running}`, def)).statusCode).toBe(409);
    expect((await req('DELETE', `/v1/domains/${running}`)).statusCode).toBe(409);
  });
});

describe('DELETE /v1/domains/{domain}', () => {
  it('unregisters, or with ?delete-files=true destroys', async () => {
    expect((await req('DELETE', '/v1/domains/xml1')).statusCode).toBe(204);
    expect((await req('GET', '/v1/domains/xml1')).statusCode).toBe(404);
    expect((await req('DELETE', '/v1/domains/web1?delete-files=true')).statusCode).toBe(204);
    expect((await req('GET', '/v1/domains/web1')).statusCode).toBe(404);
    expect((await req('DELETE', '/v1/domains/web1')).json().code).toBe('no-domain');
  });
});
