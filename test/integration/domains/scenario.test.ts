// The full scenario on an ESX simulator: define -> start -> suspend -> resume -> snapshot ->
// revert -> destroy -> undefine, checking the state through GET /v1/domains/{domain} after each
// step; and the snapshot routes.
import { beforeAll, describe, expect, it } from 'vitest';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 1 }, { listen: false });
const NAME = 'scen/1 ä';
const D = encodeURIComponent(NAME);

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: object, headers: Record<string, string> = {}) =>
  ctx.gw.app.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
const state = async () => {
  const res = await call('GET', `/v1/domains/${D}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().state as string;
};
const finished = async (res: Awaited<ReturnType<typeof call>>) => {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().status, res.body).toBe('succeeded');
  return res.json();
};

describe('domain scenario', () => {
  it('define -> start -> suspend -> resume -> snapshot -> revert -> destroy -> undefine', async () => {
    const def = await call('POST', '/v1/domains', { name: NAME, memory: 65536, devices: { interfaces: [{ type: 'bridge', source: { bridge: 'VM Network' } }] } });
    expect(def.statusCode, def.body).toBe(201);
    expect(await state()).toBe('shutoff');

    await finished(await call('POST', `/v1/domains/${D}/actions/start?wait=30`));
    expect(await state()).toBe('running');
    await finished(await call('POST', `/v1/domains/${D}/actions/suspend?wait=30`));
    expect(await state()).toBe('paused');
    await finished(await call('POST', `/v1/domains/${D}/actions/resume?wait=30`));
    expect(await state()).toBe('running');

    const snap = await finished(await call('POST', `/v1/domains/${D}/snapshots?wait=30`, { name: 's1', description: 'before change' }));
    expect(snap).toMatchObject({ kind: 'snapshot.create', target: { type: 'domain', name: NAME } });
    expect(await state()).toBe('running');
    expect((await call('GET', `/v1/domains/${D}/snapshots/current`)).json()).toMatchObject({ name: 's1', description: 'before change', state: 'running', parent: null, current: true });
    await finished(await call('POST', `/v1/domains/${D}/snapshots?wait=30`, { name: 's2' }));
    expect((await call('GET', `/v1/domains/${D}/snapshots/current`)).json().name).toBe('s2');

    await finished(await call('POST', `/v1/domains/${D}/snapshots/s1/actions/revert?wait=30`));
    expect((await call('GET', `/v1/domains/${D}/snapshots/current`)).json().name).toBe('s1');
    // A revert to a snapshot taken while running leaves the domain running.
    expect(await state()).toBe('running');

    await finished(await call('POST', `/v1/domains/${D}/actions/destroy?wait=30`));
    expect(await state()).toBe('shutoff');
    const undef = await call('DELETE', `/v1/domains/${D}`);
    expect(undef.statusCode, undef.body).toBe(204);
    expect((await call('GET', `/v1/domains/${D}`)).statusCode).toBe(404);
  });
});

describe('snapshot routes', () => {
  let vm: string;
  beforeAll(async () => {
    vm = encodeURIComponent((await call('GET', '/v1/domains')).json().items[0].name);
    for (const name of ['root', 'child', 'grandchild']) await finished(await call('POST', `/v1/domains/${vm}/snapshots?wait=30`, { name }));
  });

  it('lists flat with parents and as a tree', async () => {
    const flat = (await call('GET', `/v1/domains/${vm}/snapshots`)).json();
    expect(flat.total).toBe(3);
    expect(flat.items.map((s: { name: string; parent: string | null }) => [s.name, s.parent])).toEqual([['root', null], ['child', 'root'], ['grandchild', 'child']]);
    const tree = (await call('GET', `/v1/domains/${vm}/snapshots?tree=1`)).json();
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0].name).toBe('root');
    expect(tree.roots[0].children[0].name).toBe('child');
    expect(tree.roots[0].children[0].children[0]).toMatchObject({ name: 'grandchild', current: true, children: [] });
  });

  it('gets one as JSON or libvirt snapshot XML', async () => {
    const one = await call('GET', `/v1/domains/${vm}/snapshots/child`);
    expect(one.json()).toMatchObject({ name: 'child', parent: 'root', current: false });
    const xml = await call('GET', `/v1/domains/${vm}/snapshots/child/xml`);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(xml.body).toMatch(/^<domainsnapshot>/);
    expect(xml.body).toContain('<name>child</name>');
    expect(xml.body).toMatch(/<parent>\s*<name>root<\/name>\s*<\/parent>/);
    expect((await call('GET', `/v1/domains/${vm}/snapshots/child`, undefined, { accept: 'application/xml' })).body).toBe(xml.body);
  });

  it('creates from libvirt <domainsnapshot> XML, refusing elements ESX has no use for', async () => {
    const xml = (body: string) => ctx.gw.app.inject({ method: 'POST', url: `/v1/domains/${vm}/snapshots?wait=30`, headers: { 'content-type': 'application/xml' }, payload: body });
    await finished(await xml("<domainsnapshot><name>x1</name><description>from xml</description><memory snapshot='internal'/></domainsnapshot>"));
    expect((await call('GET', `/v1/domains/${vm}/snapshots/x1`)).json()).toMatchObject({ name: 'x1', description: 'from xml', parent: 'grandchild' });
    const bad = await xml('<domainsnapshot><name>x2</name><disks/></domainsnapshot>');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'config-unsupported', element: '/domainsnapshot/disks' });
    expect((await xml('<domainsnapshot>')).json().code).toBe('xml-error');
    await finished(await call('DELETE', `/v1/domains/${vm}/snapshots/x1?wait=30`));
    expect((await call('GET', `/v1/domains/${vm}/snapshots/current`)).json().name).toBe('grandchild');
  });

  it('refuses a taken name, and 404s for unknown snapshots', async () => {
    const dup = await call('POST', `/v1/domains/${vm}/snapshots?wait=30`, { name: 'root' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('operation-invalid');
    for (const [m, url] of [['GET', 'nope'], ['DELETE', 'nope'], ['POST', 'nope/actions/revert']] as const) {
      const res = await call(m, `/v1/domains/${vm}/snapshots/${url}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('no-domain-snapshot');
    }
    expect((await call('GET', '/v1/domains/nope/snapshots')).json().code).toBe('no-domain');
  });

  it('deletes one snapshot, or one with its children', async () => {
    const op = await call('DELETE', `/v1/domains/${vm}/snapshots/grandchild`);
    expect([200, 202]).toContain(op.statusCode);
    expect(op.headers.location).toMatch(/^\/v1\/operations\//);
    expect((await call('GET', `${op.headers.location}/wait?timeout=30`)).json().status).toBe('succeeded');
    expect((await call('GET', `/v1/domains/${vm}/snapshots`)).json().total).toBe(2);
    await finished(await call('DELETE', `/v1/domains/${vm}/snapshots/root?children=true&wait=30`));
    expect((await call('GET', `/v1/domains/${vm}/snapshots`)).json().total).toBe(0);
    expect((await call('GET', `/v1/domains/${vm}/snapshots/current`)).statusCode).toBe(404);
  });
});
