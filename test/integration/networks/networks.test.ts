// Networks (virtual switches + port groups) and interfaces (physical NICs) against esxsim.
import { describe, expect, it } from 'vitest';
import { md5Uuid } from '../../../src/drivers/storage/pool.js';
import { startSim } from '../../helpers/esxsim.js';
import { startGateway } from '../../helpers/gateway.js';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 1 });

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  ctx.gw.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as string }) });

describe('networks', () => {
  it('lists vSwitch0 with its port groups, uplink and a UUID from the switch key', async () => {
    const r = await inject('GET', '/v1/networks');
    expect(r.statusCode).toBe(200);
    const n = r.json().items.find((x: { name: string }) => x.name === 'vSwitch0');
    expect(n).toMatchObject({ key: 'key-vim.host.VirtualSwitch-vSwitch0', uuid: md5Uuid('key-vim.host.VirtualSwitch-vSwitch0'), forward: { mode: 'bridge', interfaces: ['vmnic0'] } });
    expect(n.portgroups.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['VM Network', 'Management Network']));
    expect((await inject('GET', `/v1/networks/${n.uuid}`)).json().name).toBe('vSwitch0');
  });

  it('answers 404 no-network for unknown names', async () => {
    for (const url of ['/v1/networks/nope', '/v1/networks/nope/xml', '/v1/networks/00000000-0000-0000-0000-000000000000']) {
      const r = await inject('GET', url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe('no-network');
    }
    expect((await inject('DELETE', '/v1/networks/nope')).json().code).toBe('no-network');
  });

  it('gives libvirt network XML with bridge forward mode, uplinks and port groups', async () => {
    const r = await inject('GET', '/v1/networks/vSwitch0/xml');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/xml/);
    expect(r.body).toContain('<name>vSwitch0</name>');
    expect(r.body).toContain(`<uuid>${md5Uuid('key-vim.host.VirtualSwitch-vSwitch0')}</uuid>`);
    expect(r.body).toContain("<forward mode='bridge'>\n    <interface dev='vmnic0'/>\n  </forward>");
    expect(r.body).toContain("<portgroup name='VM Network'/>");
  });

  it('defines a network from JSON with a VLAN port group and undefines it', async () => {
    const d = await inject('POST', '/v1/networks', { name: 'vSwitchT', forward: { mode: 'bridge', interfaces: ['vmnic1'] }, portgroups: [{ name: 'Tagged', vlan: 42 }, { name: 'Plain' }] });
    expect(d.statusCode, d.body).toBe(201);
    expect(d.headers.location).toBe('/v1/networks/vSwitchT');
    expect(d.json()).toMatchObject({ name: 'vSwitchT', uuid: md5Uuid('key-vim.host.VirtualSwitch-vSwitchT'), portgroups: [{ name: 'Tagged', vlan: 42 }, { name: 'Plain', vlan: 0 }] });
    const xml = (await inject('GET', '/v1/networks/vSwitchT/xml')).body;
    expect(xml).toContain("<portgroup name='Tagged'>\n    <vlan>\n      <tag id='42'/>");
    expect((await inject('POST', '/v1/networks', { name: 'vSwitchT' })).statusCode).toBe(409);
    const u = await inject('DELETE', '/v1/networks/vSwitchT');
    expect(u.statusCode, u.body).toBe(204);
    expect((await inject('GET', '/v1/networks/vSwitchT')).statusCode).toBe(404);
    expect((await inject('GET', '/v1/networks')).json().items.some((p: { portgroups: Array<{ name: string }> }) => p.portgroups.some((g) => g.name === 'Tagged'))).toBe(false);
  });

  it('defines a network from libvirt XML (round trip of its own XML)', async () => {
    const xml = "<network><name>vSwitchX</name><forward mode='bridge'/><portgroup name='PG X'><vlan><tag id='7'/></vlan></portgroup></network>";
    const d = await inject('POST', '/v1/networks', xml, { 'content-type': 'application/xml' });
    expect(d.statusCode, d.body).toBe(201);
    const own = (await inject('GET', '/v1/networks/vSwitchX/xml')).body;
    expect(own).toContain("<tag id='7'/>");
    expect((await inject('DELETE', `/v1/networks/${d.json().uuid}`)).statusCode).toBe(204);
    const again = await inject('POST', '/v1/networks', own, { 'content-type': 'application/xml' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().uuid).toBe(d.json().uuid);
    expect((await inject('DELETE', '/v1/networks/vSwitchX')).statusCode).toBe(204);
  });

  it('refuses with 400 what an ESX vSwitch cannot do, naming it', async () => {
    const cases: Array<[string, RegExp]> = [
      ["<network><name>n1</name><forward mode='nat'/></network>", /forward mode 'nat'/],
      ["<network><name>n1</name><forward mode='route'/></network>", /forward mode 'route'/],
      ["<network><name>n1</name><ip address='192.168.1.1' netmask='255.255.255.0'><dhcp/></ip></network>", /IP addresses and DHCP/],
      ["<network><name>n1</name><dns/></network>", /DNS/],
      ["<network><name>n1</name><forward mode='bridge'/><portgroup name='a'><vlan><tag id='1'/><tag id='2'/></vlan></portgroup></network>", /VLAN tags/],
      ['<network><name>n1</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>', /UUID/],
      ['<network><name>n1', /not well-formed/],
    ];
    for (const [xml, detail] of cases) {
      const r = await inject('POST', '/v1/networks', xml, { 'content-type': 'application/xml' });
      expect(r.statusCode, xml).toBe(400);
      expect(r.json().detail, xml).toMatch(detail);
    }
    const nat = await inject('POST', '/v1/networks', { name: 'n1', forward: { mode: 'nat' } });
    expect(nat.statusCode).toBe(400);
    expect(nat.json()).toMatchObject({ code: 'config-unsupported', detail: expect.stringMatching(/forward mode 'nat'/) });
    const nic = await inject('POST', '/v1/networks', { name: 'n1', forward: { mode: 'bridge', interfaces: ['vmnic9'] } });
    expect(nic.statusCode).toBe(400);
    expect(nic.json().detail).toMatch(/vmnic9/);
    const taken = await inject('POST', '/v1/networks', { name: 'n1', forward: { mode: 'bridge', interfaces: ['vmnic0'] } });
    expect(taken.statusCode).toBe(409);
    expect((await inject('GET', '/v1/networks/n1')).statusCode).toBe(404);
  });

  it('refuses a port group name the host has already, before changing anything', async () => {
    const r = await inject('POST', '/v1/networks', { name: 'vSwitchDup', portgroups: [{ name: 'Fresh' }, { name: 'VM Network' }] });
    expect(r.statusCode).toBe(409);
    const all = (await inject('GET', '/v1/networks')).json().items;
    expect(all.some((n: { name: string }) => n.name === 'vSwitchDup')).toBe(false);
  });

  it('takes the switch back when ESX refuses a port group', async () => {
    const sim2 = await startSim({ esx: true, vms: 0, faults: { AddPortGroup: 'HostConfigFault' } });
    const gw2 = await startGateway(sim2, { listen: false });
    try {
      const r = await gw2.app.inject({ method: 'POST', url: '/v1/networks', payload: { name: 'vSwitchR', portgroups: [{ name: 'R1' }] } });
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(r.json().fault).toBe('HostConfigFault');
      const names = (await gw2.app.inject('/v1/networks')).json().items.map((n: { name: string }) => n.name);
      expect(names).toEqual(['vSwitch0']);
    } finally {
      await gw2.close();
      await sim2.stop();
    }
  });

  it('refuses to undefine a network while a domain uses one of its port groups', async () => {
    const r = await inject('DELETE', '/v1/networks/vSwitch0');
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('operation-invalid');
    expect(r.json().detail).toMatch(/in use/);
    expect((await inject('GET', '/v1/networks/vSwitch0')).statusCode).toBe(200);
  });
});

describe('interfaces', () => {
  it('lists the physical NICs and looks one up by name and by MAC', async () => {
    const r = await inject('GET', '/v1/interfaces');
    expect(r.statusCode).toBe(200);
    const items = r.json().items;
    expect(items.map((i: { name: string }) => i.name)).toEqual(['vmnic0', 'vmnic1']);
    const nic = items[0];
    expect(nic).toMatchObject({ active: true, speed: 10000, duplex: 'full' });
    expect(nic.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect((await inject('GET', '/v1/interfaces/vmnic0')).json()).toEqual(nic);
    expect((await inject('GET', `/v1/interfaces/${nic.mac.toUpperCase()}`)).json().name).toBe('vmnic0');
  });

  it('gives libvirt interface XML with MAC and link', async () => {
    const nic = (await inject('GET', '/v1/interfaces/vmnic1')).json();
    const r = await inject('GET', '/v1/interfaces/vmnic1/xml');
    expect(r.headers['content-type']).toMatch(/application\/xml/);
    expect(r.body).toContain("<interface type='ethernet' name='vmnic1'>");
    expect(r.body).toContain(`<mac address='${nic.mac}'/>`);
    expect(r.body).toContain("<link speed='10000' state='up'/>");
    expect((await inject('GET', '/v1/interfaces/vmnic1', undefined, { accept: 'application/xml' })).body).toBe(r.body);
  });

  it('answers 404 no-interface for unknown names and MACs', async () => {
    for (const url of ['/v1/interfaces/eth7', '/v1/interfaces/00:11:22:33:44:55/xml']) {
      const r = await inject('GET', url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe('no-interface');
    }
  });
});
