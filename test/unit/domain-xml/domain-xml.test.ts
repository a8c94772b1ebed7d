import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { DomainDefinition } from '../../../src/domain/schema.js';
import { formatDomainXml } from '../../../src/domain-xml/format.js';
import { parseDomainXml, parseDomainXmlReport } from '../../../src/domain-xml/parse.js';
import { conversionError } from '../../helpers/conversion.js';

const doc = (body: string, attrs = "type='vmware'") => `<domain ${attrs}>\n<name>vm</name>\n<memory>1024</memory>\n<os><type>hvm</type></os>\n${body}</domain>`;

const error = (xml: string) => conversionError(() => parseDomainXml(xml));

describe('parseDomainXml', () => {
  it('reports malformed XML with line and column', () => {
    const e = error("<domain type='vmware'>\n  <name>vm</name>\n  <memory>1</memory\n</domain>");
    expect(e.code).toBe('xml-malformed');
    expect(e.line).toBe(3);
    expect(e.column).toBeGreaterThan(0);
    expect(e.message).toMatch(/^XML error at line 3, column \d+: /);
  });

  it('refuses DOCTYPE, unknown entities, several roots and non-domain roots', () => {
    expect(error('<!DOCTYPE d [<!ENTITY x "y">]><domain/>').code).toBe('xml-malformed');
    expect(error(doc('<description>&nbsp;</description>')).message).toContain("'&nbsp;' is not defined");
    expect(error(`${doc('')}<domain/>`).message).toContain('more than one root');
    expect(error('<network/>').message).toContain("root element 'domain'");
  });

  it('names every element and attribute outside the model', () => {
    const xml = doc("<features><acpi/></features><devices><disk type='file' device='disk' snapshot='no'><target dev='sda'/><boot order='1'/></disk><input type='tablet'/></devices>");
    const { unsupported, definition } = parseDomainXmlReport(xml);
    expect([...unsupported].sort()).toEqual(['/domain/devices/disk/@snapshot', '/domain/devices/disk/boot', '/domain/devices/input', '/domain/features']);
    expect(definition.devices?.disks?.[0]?.target).toEqual({ dev: 'sda', bus: 'scsi' });
    const e = error(xml);
    expect(e.code).toBe('xml-unsupported');
    expect(unsupported).toContain(e.path);
    expect(e.message).toContain('/domain/features');
  });

  it('refuses invalid values, naming the attribute', () => {
    expect(error(doc("<devices><disk type='network'><target dev='sda'/></disk></devices>")).path).toBe('/domain/devices/disk/@type');
    expect(error(doc("<devices><interface type='bridge'><mac address='nope'/></interface></devices>")).path).toBe(
      '/domain/devices/interface/mac/@address',
    );
    expect(error(doc('', "type='kvm'")).message).toContain("'vmware' but found 'kvm'");
    expect(error("<domain type='vmware'><name>x</name><os><type>hvm</type></os></domain>").message).toContain('Memory size');
    expect(error("<domain type='vmware'><name>x</name><memory>1</memory></domain>").message).toContain('os <type>');
    expect(error(doc('<vcpu>two</vcpu>')).message).toContain("Invalid integer 'two'");
  });

  it('scales memory units to KiB, rounding up', () => {
    const def = parseDomainXml(
      "<domain type='vmware'><name>x</name><memory unit='GiB'>2</memory><currentMemory unit='MB'>1</currentMemory><memtune><min_guarantee unit='b'>1</min_guarantee></memtune><os><type>hvm</type></os></domain>",
    );
    expect([def.memory, def.currentMemory, def.memtune?.minGuarantee]).toEqual([2097152, 977, 1]);
    expect(error(doc('').replace('<memory>', "<memory unit='parsec'>")).path).toBe('/domain/memory/@unit');
  });

  it('fills the defaults libvirt fills: disk type, bus, controller index, serial ports', () => {
    const def = parseDomainXml(
      doc(
        "<devices><disk><target dev='hdc'/></disk><controller type='scsi'/><controller type='scsi'/>" +
          "<serial type='dev'><source path='/dev/ttyS0'/><target port='2'/></serial><serial type='dev'><source path='/dev/ttyS1'/></serial></devices>",
      ),
    );
    expect(def.devices?.disks?.[0]).toEqual({ type: 'file', device: 'disk', target: { dev: 'hdc', bus: 'ide' } });
    expect(def.devices?.controllers?.map((c) => c.index)).toEqual([0, 1]);
    expect(def.devices?.serials?.map((s) => s.target?.port)).toEqual([2, 3]);
  });

  it('decodes entities and character references, normalises UUIDs, MACs and CPU sets', () => {
    const def = parseDomainXml(
      doc(
        "<uuid>564D9BEFACD9B4E0C8F0AEA8B9103515</uuid><description>a &amp; b&#10;&#x263A;</description><vcpu cpuset='5,0-2,1'>2</vcpu>" +
          "<devices><interface type='bridge'><mac address='00:50:56:AB:CD:EF'/></interface></devices>",
      ),
    );
    expect(def.uuid).toBe('564d9bef-acd9-b4e0-c8f0-aea8b9103515');
    expect(def.description).toBe('a & b\n☺');
    expect(def.vcpu).toEqual({ count: 2, cpuset: '0-2,5' });
    expect(def.devices?.interfaces?.[0]?.mac).toEqual({ address: '00:50:56:ab:cd:ef' });
  });

  it('reads the vmware namespace under any prefix', () => {
    const def = parseDomainXml(doc('<v:datacenterpath>dc/x</v:datacenterpath><v:moref>vm-1</v:moref>', "type='vmware' xmlns:v='http://libvirt.org/schemas/domain/vmware/1.0'"));
    expect(def.vmware).toEqual({ datacenterPath: 'dc/x', moref: 'vm-1' });
    expect(parseDomainXmlReport(doc('<x:datacenterpath>a</x:datacenterpath>', "type='vmware' xmlns:x='urn:other'")).unsupported).toEqual([
      '/domain/x:datacenterpath',
    ]);
  });

  it('reads graphics with the listen attribute and port -1', () => {
    const def = parseDomainXml(doc("<devices><graphics type='vnc' port='-1' listen='0.0.0.0'/></devices>"));
    expect(def.devices?.graphics).toEqual([{ type: 'vnc', autoport: true, listens: [{ type: 'address', address: '0.0.0.0' }] }]);
  });
});

describe('formatDomainXml', () => {
  it('escapes text and attributes and drops characters XML cannot carry', () => {
    const xml = formatDomainXml({
      name: `a<b>&'"`,
      memory: 1,
      description: 'x\u0001y\r\nz',
      devices: { disks: [{ type: 'file', device: 'disk', source: { file: "[ds] it's\t<1>.vmdk" }, target: { dev: 'sda' } }] },
    });
    expect(xml).toContain('<name>a&lt;b&gt;&amp;&apos;&quot;</name>');
    expect(xml).toContain('<description>xy&#13;\nz</description>');
    expect(xml).toContain("<source file='[ds] it&apos;s&#9;&lt;1&gt;.vmdk'/>");
    expect(parseDomainXml(xml.replace('<name>', "<os><type>hvm</type></os><name>")).devices?.disks?.[0]?.source?.file).toBe("[ds] it's\t<1>.vmdk");
  });

  it('round-trips a definition through XML', () => {
    const def: DomainDefinition = {
      type: 'vmware',
      name: 'full',
      uuid: '564d9bef-acd9-b4e0-c8f0-aea8b9103515',
      genid: '00000000-0000-0001-ffff-ffffffffffff',
      title: 'T',
      description: 'D',
      memory: 4194304,
      currentMemory: 2097152,
      memtune: { hardLimit: 4194304, minGuarantee: 1024 },
      vcpu: { count: 4, placement: 'static', cpuset: '0-3' },
      cputune: { shares: 4000 },
      os: { type: 'hvm', arch: 'x86_64', machine: 'pc', firmware: 'efi', boot: [{ dev: 'hd' }, { dev: 'cdrom' }], smbios: { mode: 'host' } },
      cpu: { mode: 'custom', topology: { sockets: 2, dies: 1, clusters: 1, cores: 2, threads: 1 } },
      clock: { offset: 'utc' },
      onPoweroff: 'destroy',
      onReboot: 'restart',
      onCrash: 'preserve',
      devices: {
        disks: [
          { type: 'file', device: 'disk', driver: { name: 'lsilogic', type: 'vmdk', cache: 'writethrough' }, source: { file: '[ds] a.vmdk' }, target: { dev: 'sda', bus: 'scsi' }, shareable: true, transient: true, address: { type: 'drive', controller: 0, bus: 0, target: 0, unit: 0 } },
          { type: 'block', device: 'lun', source: { startupPolicy: 'optional' }, target: { dev: 'hda', bus: 'ide' }, readonly: true },
        ],
        controllers: [{ type: 'scsi', index: 0, model: 'lsilogic' }],
        filesystems: [{ type: 'mount', accessmode: 'passthrough', source: { dir: '/a' }, target: { dir: 'b' }, readonly: true }],
        interfaces: [
          { type: 'vds', mac: { address: '00:50:56:80:00:01', type: 'generated', check: true }, source: { switchId: '503426b2-94e9-3b16-1d68-87bfff4a5440', portId: 5, portgroupId: 'dvportgroup-1', connectionId: 7 }, model: { type: 'vmxnet3' } },
          { type: 'bridge', source: { bridge: 'VM Network' }, target: { dev: 'vmnet7' } },
        ],
        serials: [{ type: 'tcp', source: { mode: 'bind', host: '0.0.0.0', service: '42001' }, protocol: { type: 'telnets' }, target: { port: 0 } }],
        parallels: [{ type: 'file', source: { path: '[ds] p' }, target: { port: 0 } }],
        consoles: [{ type: 'tcp', source: { mode: 'bind', host: '0.0.0.0', service: '42001' }, protocol: { type: 'telnets' }, target: { type: 'serial', port: 0 } }],
        tpms: [{ model: 'tpm-crb', backend: { type: 'emulator', version: '2.0' } }],
        graphics: [{ type: 'vnc', port: 5900, autoport: false, keymap: 'de', passwd: 'p', listens: [{ type: 'address', address: '127.0.0.1' }] }],
        videos: [{ model: { type: 'vmvga', vram: 8192, heads: 1, primary: true } }],
        memballoon: { model: 'none' },
      },
      vmware: { datacenterPath: 'dc', moref: 'vm-9' },
    };
    expect(Value.Check(DomainDefinition, def)).toBe(true);
    const xml = formatDomainXml(def);
    expect(parseDomainXmlReport(xml)).toEqual({ definition: def, unsupported: [] });
  });

  it('rejects typos in JSON definitions through the schema', () => {
    expect(Value.Check(DomainDefinition, { name: 'x', memory: 1, devices: { disk: [] } })).toBe(false);
    expect(Value.Check(DomainDefinition, { name: 'x', memory: 1, os: { type: 'hvm', arch: 'arm' } })).toBe(false);
  });
});
