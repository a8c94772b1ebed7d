// Network XML writing and reading, and the mapping of HostNetworkInfo to networks.
import { describe, expect, it } from 'vitest';
import { networkXml, parseNetworkXml } from '../../../src/drivers/network-xml.js';
import { networksFrom } from '../../../src/drivers/network.js';
import { md5Uuid } from '../../../src/drivers/storage/pool.js';

const INFO = {
  vswitch: [
    { name: 'vSwitch0', key: 'key-vim.host.VirtualSwitch-vSwitch0', mtu: 1500, numPorts: 128, portgroup: ['key-vim.host.PortGroup-VM Network', 'key-vim.host.PortGroup-Lab'], pnic: ['key-vim.host.PhysicalNic-vmnic0'] },
    { name: 'internal', key: '', portgroup: ['Isolated'], spec: { bridge: { nicDevice: ['vmnic3'] } } },
  ],
  portgroup: [
    { key: 'key-vim.host.PortGroup-VM Network', spec: { name: 'VM Network', vlanId: 0 } },
    { key: 'key-vim.host.PortGroup-Lab', spec: { name: 'Lab', vlanId: 42 } },
    { key: 'key-vim.host.PortGroup-Isolated', spec: { name: 'Isolated', vlanId: 4095 } },
  ],
  pnic: [{ key: 'key-vim.host.PhysicalNic-vmnic0', device: 'vmnic0' }],
};

describe('networksFrom', () => {
  it('resolves port groups by key or name, uplinks by pnic key or bridge devices, and derives UUIDs', () => {
    const [a, b] = networksFrom(INFO);
    expect(a).toMatchObject({ name: 'vSwitch0', uuid: md5Uuid('key-vim.host.VirtualSwitch-vSwitch0'), forward: { interfaces: ['vmnic0'] }, portgroups: [{ name: 'VM Network', vlan: 0 }, { name: 'Lab', vlan: 42 }], mtu: 1500 });
    expect(b).toMatchObject({ key: 'key-vim.host.VirtualSwitch-internal', forward: { interfaces: ['vmnic3'] }, portgroups: [{ name: 'Isolated', vlan: 4095 }], mtu: null });
  });
});

describe('network XML', () => {
  it('writes what parses back to the same definition', () => {
    const [n] = networksFrom(INFO);
    const xml = networkXml(n!);
    expect(xml).toContain("<forward mode='bridge'>\n    <interface dev='vmnic0'/>\n  </forward>");
    expect(xml).toContain("<portgroup name='Lab'>\n    <vlan>\n      <tag id='42'/>\n    </vlan>\n  </portgroup>");
    expect(parseNetworkXml(xml)).toEqual({ name: 'vSwitch0', uuid: n!.uuid, interfaces: ['vmnic0'], portgroups: [{ name: 'VM Network', vlan: 0 }, { name: 'Lab', vlan: 42 }], mtu: 1500 });
  });
  it('escapes names', () => {
    const xml = networkXml({ ...networksFrom(INFO)[0]!, name: "a'<b>&", portgroups: [{ name: 'x"y', vlan: 0 }] });
    expect(xml).toContain('<name>a&apos;&lt;b&gt;&amp;</name>');
    expect(parseNetworkXml(xml.replace(/<uuid>.*<\/uuid>\n/, '')).name).toBe("a'<b>&");
  });
  it.each([
    ["<network><name>n</name><forward/></network>", "forward mode 'nat'"],
    ["<network><name>n</name><forward mode='open'/></network>", "forward mode 'open'"],
    ["<network><name>n</name><forward mode='hostdev'/></network>", "forward mode 'hostdev'"],
    ["<network><name>n</name><ip address='10.0.0.1'/></network>", 'DHCP'],
    ["<network><name>n</name><bridge name='virbr0'/></network>", 'bridge'],
    ['<network><name>n</name><bandwidth/></network>', 'bandwidth'],
    ['<network><name>n</name><foo/></network>', '<foo>'],
    ["<network><name>n</name><mtu size='100'/></network>", 'mtu'],
  ])('refuses %s', (xml, what) => {
    expect(() => parseNetworkXml(xml)).toThrow(what);
  });
  it('accepts an isolated switch (no <forward>) and a matching bridge name', () => {
    expect(parseNetworkXml("<network><name>iso</name><bridge name='iso'/></network>")).toEqual({ name: 'iso', interfaces: [], portgroups: [] });
  });
});
