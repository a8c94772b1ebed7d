// Volumes against esxsim: list, lookup by name / '[ds] path' / key, XML, path safety, and the
// task-based create, clone, wipe and delete.
import { describe, expect, it } from 'vitest';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 1 });

const POOL = '/v1/storage-pools/LocalDS_0';
const vol = (name: string) => `${POOL}/volumes/${encodeURIComponent(name)}`;
const inject = (method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  ctx.gw.app.inject({ method, url, headers, ...(body === undefined ? {} : typeof body === 'string' || Buffer.isBuffer(body) ? { payload: body } : { payload: body as object }) });
const put = (name: string, data: string | Buffer) => inject('PUT', `${vol(name)}/content`, data, { 'content-type': 'application/octet-stream' });

describe('volumes', () => {
  it('lists files in sub folders with size and format, and looks one up by name', async () => {
    expect((await put('vols/list me.iso', Buffer.alloc(4096, 1))).statusCode).toBe(200);
    const r = await inject('GET', `${POOL}/volumes`);
    expect(r.statusCode).toBe(200);
    const v = r.json().items.find((x: { name: string }) => x.name === 'vols/list me.iso');
    expect(v).toMatchObject({ pool: 'LocalDS_0', path: '[LocalDS_0] vols/list me.iso', format: 'iso', capacity: 4096, allocation: 4096, type: 'file' });
    expect(r.json().items.some((x: { name: string }) => x.name === 'vols')).toBe(false);
    const one = await inject('GET', vol('vols/list me.iso'));
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(v);
    const byPath = await inject('GET', vol('[LocalDS_0] vols/list me.iso'));
    expect(byPath.json().name).toBe('vols/list me.iso');
    // The datastore searches behind these reads are the gateway's own: not listed as operations.
    const kinds = (await inject('GET', '/v1/operations')).json().items.map((o: { kind: string }) => o.kind);
    expect(kinds).toContain('volume.upload');
    expect(kinds.filter((k: string) => k === 'volume.list' || k === 'volume.lookup')).toEqual([]);
  });

  it('answers 404 no-storage-vol for missing files and folders', async () => {
    for (const name of ['vols/missing.vmdk', 'no-such-dir/x.vmdk']) {
      const r = await inject('GET', vol(name));
      expect(r.statusCode, name).toBe(404);
      expect(r.json().code).toBe('no-storage-vol');
    }
    expect((await inject('GET', `${vol('vols/missing.vmdk')}/content`)).json().code).toBe('no-storage-vol');
  });

  it('refuses unsafe paths with 400 before anything reaches ESX', async () => {
    for (const name of ['../etc/passwd', 'a/../../b.vmdk', 'a/./b', 'a//b', '/abs.vmdk', 'nul\u0000.vmdk', 'cr\r.vmdk', '[OtherDS] x.vmdk', 'dir/']) {
      for (const url of [vol(name), `${vol(name)}/content`, `${vol(name)}/xml`]) {
        const r = await inject('GET', url);
        expect(r.statusCode, `${url}`).toBe(400);
        expect(r.json().code).toBe('invalid-arg');
      }
      const up = await put(name, 'x');
      expect(up.statusCode, name).toBe(400);
    }
  });

  it('gives libvirt volume XML and finds a volume by key and by path', async () => {
    expect((await put('keyed/disk.vmdk', 'not really a disk')).statusCode).toBe(200);
    const v = (await inject('GET', vol('keyed/disk.vmdk'))).json();
    expect(v.format).toBe('vmdk');
    expect(v.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const xml = await inject('GET', `${vol('keyed/disk.vmdk')}/xml`);
    expect(xml.headers['content-type']).toMatch(/application\/xml/);
    expect(xml.body).toContain('<name>keyed/disk.vmdk</name>');
    expect(xml.body).toContain(`<key>${v.key}</key>`);
    expect(xml.body).toContain('<path>[LocalDS_0] keyed/disk.vmdk</path>');
    expect(xml.body).toContain("<format type='vmdk'/>");
    expect((await inject('GET', vol(v.key))).json().path).toBe(v.path);
    const byKey = await inject('GET', `/v1/storage-volumes/${v.key}`);
    expect(byKey.statusCode).toBe(200);
    expect(byKey.json().path).toBe(v.path);
    const byPath = await inject('GET', `/v1/storage-volumes/${encodeURIComponent(v.path)}`);
    expect(byPath.json().key).toBe(v.key);
    expect((await inject('GET', '/v1/storage-volumes/00000000-0000-0000-0000-000000000000')).json().code).toBe('no-storage-vol');
  });
});

describe('volume operations', () => {
  const waitQ = '?wait=30';

  it('creates a thin virtual disk (JSON), clones it, wipes it and deletes both', async () => {
    const c = await inject('POST', `${POOL}/volumes${waitQ}`, { name: 'ops/new disk.vmdk', capacity: 16 * 1024 * 1024, allocation: 0 });
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json()).toMatchObject({ kind: 'volume.create', status: 'succeeded', target: { type: 'volume', name: '[LocalDS_0] ops/new disk.vmdk' } });
    expect((await inject('GET', vol('ops/new disk.vmdk'))).statusCode).toBe(200);

    const again = await inject('POST', `${POOL}/volumes`, { name: 'ops/new disk.vmdk', capacity: 1024 * 1024 });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/already exists/);

    const k = await inject('POST', `${POOL}/volumes${waitQ}`, { name: 'ops/copy.vmdk', from: 'ops/new disk.vmdk' });
    expect(k.statusCode, k.body).toBe(200);
    expect(k.json()).toMatchObject({ kind: 'volume.clone', status: 'succeeded' });
    expect((await inject('GET', vol('ops/copy.vmdk'))).statusCode).toBe(200);

    const w = await inject('POST', `${vol('ops/copy.vmdk')}/actions/wipe${waitQ}`);
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json().status).toBe('succeeded');

    for (const name of ['ops/new disk.vmdk', 'ops/copy.vmdk']) {
      const d = await inject('DELETE', `${vol(name)}${waitQ}`);
      expect(d.statusCode, d.body).toBe(200);
      expect(d.json()).toMatchObject({ kind: 'volume.delete', status: 'succeeded' });
      expect((await inject('GET', vol(name))).statusCode).toBe(404);
    }
  });

  it('answers 202 with a Location without ?wait', async () => {
    const c = await inject('POST', `${POOL}/volumes`, { name: 'ops/async.vmdk', capacity: 1024 * 1024 });
    expect([200, 202]).toContain(c.statusCode);
    expect(c.headers.location).toMatch(/^\/v1\/operations\//);
  });

  it('creates a disk from libvirt volume XML with units', async () => {
    const xml = "<volume><name>ops/from-xml.vmdk</name><capacity unit='M'>8</capacity><allocation>0</allocation><target><format type='vmdk'/></target></volume>";
    const c = await inject('POST', `${POOL}/volumes${waitQ}`, xml, { 'content-type': 'application/xml' });
    expect(c.statusCode, c.body).toBe(200);
    expect((await inject('GET', vol('ops/from-xml.vmdk'))).statusCode).toBe(200);
    const bad = await inject('POST', `${POOL}/volumes`, xml.replace("'vmdk'", "'qcow2'"), { 'content-type': 'application/xml' });
    expect(bad.statusCode).toBe(400);
  });

  it('deletes a plain file with DeleteDatastoreFile_Task', async () => {
    expect((await put('ops/plain.txt', 'hello')).statusCode).toBe(200);
    const d = await inject('DELETE', `${vol('ops/plain.txt')}${waitQ}`);
    expect(d.statusCode, d.body).toBe(200);
    expect((await inject('GET', vol('ops/plain.txt'))).statusCode).toBe(404);
  });

  it('refuses what ESX cannot do, and unknown volumes', async () => {
    const cases: Array<[string, object, number, string]> = [
      ['partial allocation', { name: 'ops/p.vmdk', capacity: 4096 * 1024, allocation: 1024 }, 400, 'invalid-arg'],
      ['not a vmdk', { name: 'ops/p.raw', capacity: 4096 * 1024 }, 400, 'invalid-arg'],
      ['no capacity', { name: 'ops/p.vmdk' }, 400, 'invalid-arg'],
      ['escape', { name: '../p.vmdk', capacity: 4096 * 1024 }, 400, 'invalid-arg'],
      ['clone of nothing', { name: 'ops/q.vmdk', from: 'ops/none.vmdk' }, 404, 'no-storage-vol'],
      ['unknown field', { name: 'ops/p.vmdk', capacity: 4096 * 1024, format: 'qcow2' }, 400, 'invalid-arg'],
    ];
    for (const [what, body, status, code] of cases) {
      const r = await inject('POST', `${POOL}/volumes`, body);
      expect(r.statusCode, what).toBe(status);
      expect(r.json().code, what).toBe(code);
    }
    expect((await inject('DELETE', vol('ops/none.vmdk'))).json().code).toBe('no-storage-vol');
    expect((await inject('POST', `${vol('ops/none.vmdk')}/actions/wipe`)).json().code).toBe('no-storage-vol');
    expect((await put('ops/w.txt', 'x')).statusCode).toBe(200);
    expect((await inject('POST', `${vol('ops/w.txt')}/actions/wipe`)).statusCode).toBe(422);
  });
});
