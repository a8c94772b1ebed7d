// The vSphere config <-> domain model mapping of the domain driver (pure code).
import { describe, expect, it } from 'vitest';
import type { DomainDefinition } from '../../../src/domain/model.js';
import { diskName, slotOf } from '../../../src/drivers/domain/disk-names.js';
import { editDeviceChanges } from '../../../src/drivers/domain/edit-devices.js';
import { definitionFromConfig, type Vi } from '../../../src/drivers/domain/from-config.js';
import { treeOf } from '../../../src/drivers/domain/snapshots.js';
import { type SpecContext, createSpec } from '../../../src/drivers/domain/to-config-spec.js';
import { patchSpec } from '../../../src/drivers/domain/tuning.js';

const ctx: SpecContext = {
  networks: new Map([
    ['VM Network', { name: 'VM Network', ref: { type: 'Network', value: 'net-1' } }],
    ['dv-pg', { name: 'dv-pg', ref: { type: 'DistributedVirtualPortgroup', value: 'dvpg-1' }, dvs: { portgroupKey: 'dvportgroup-1', switchUuid: '50 1a' } }],
  ]),
  defaultDatastore: 'ds1',
};

/** What ESX would report after creating a VM from `spec`: its devices plus the default ones. */
function configFromSpec(spec: Vi): Vi {
  const defaults = [
    { _type: 'VirtualIDEController', key: 200, busNumber: 0 },
    { _type: 'VirtualIDEController', key: 201, busNumber: 1 },
    { _type: 'VirtualSIOController', key: 400, busNumber: 0 },
  ];
  return {
    name: spec.name,
    uuid: spec.uuid ?? '564d0000-1111-2222-3333-444455556666',
    annotation: spec.annotation,
    guestId: spec.guestId,
    firmware: spec.firmware,
    memoryAllocation: spec.memoryAllocation,
    cpuAllocation: spec.cpuAllocation,
    extraConfig: spec.extraConfig,
    hardware: { memoryMB: spec.memoryMB, numCPU: spec.numCPUs, numCoresPerSocket: spec.numCoresPerSocket, device: [...defaults, ...(spec.deviceChange ?? []).map((c: Vi) => c.device)] },
  };
}

const full: DomainDefinition = {
  type: 'vmware',
  name: 'web/1 %ä',
  uuid: '564d0000-1111-2222-3333-444455556666',
  description: 'two\nlines',
  memory: 1048576,
  currentMemory: 524288,
  memtune: { minGuarantee: 262144 },
  vcpu: { count: 4, placement: 'static' },
  cputune: { shares: 4321 },
  cpu: { topology: { sockets: 2, cores: 2, threads: 1 } },
  os: { type: 'hvm', arch: 'x86_64', firmware: 'efi' },
  devices: {
    disks: [
      { type: 'file', device: 'disk', source: { file: '[ds2] web/web.vmdk' }, target: { dev: 'sda', bus: 'scsi' }, address: { type: 'drive', controller: 0, bus: 0, target: 0, unit: 0 } },
      { type: 'file', device: 'disk', source: { file: '[ds2] web/data.vmdk' }, target: { dev: 'sdp', bus: 'scsi' }, address: { type: 'drive', controller: 1, bus: 0, target: 0, unit: 0 }, transient: true },
      { type: 'file', device: 'cdrom', source: { file: '[ds1] iso/x.iso' }, target: { dev: 'hdc', bus: 'ide' }, address: { type: 'drive', controller: 0, bus: 1, target: 0, unit: 0 }, readonly: true },
    ],
    controllers: [
      { type: 'scsi', index: 0, model: 'vmpvscsi' },
      { type: 'scsi', index: 1, model: 'lsilogic' },
    ],
    interfaces: [{ type: 'bridge', source: { bridge: 'VM Network' }, mac: { address: '00:50:56:00:00:01', type: 'static' }, model: { type: 'vmxnet3' } }],
    serials: [{ type: 'tcp', source: { mode: 'bind', host: '0.0.0.0', service: '5000' }, protocol: { type: 'telnet' }, target: { port: 0 } }],
    graphics: [{ type: 'vnc', port: 5901, listens: [{ type: 'address', address: '127.0.0.1' }] }],
  },
};

describe('config <-> domain model', () => {
  it('round-trips a definition through a config spec and back', () => {
    const spec = createSpec(full, ctx);
    expect(spec).toMatchObject({ name: 'web%2f1 %25ä', memoryMB: 1024, numCPUs: 4, numCoresPerSocket: 2, files: { vmPathName: '[ds2]' }, guestId: 'otherGuest64', firmware: 'efi' });
    const back = definitionFromConfig(configFromSpec(spec));
    const { consoles, ...devices } = back.devices!;
    expect({ ...back, devices }).toEqual(full);
    expect(consoles).toEqual([{ ...full.devices!.serials![0], target: { type: 'serial', port: 0 } }]);
  });

  it('orders controllers before the disks that use them and numbers SCSI slots around unit 7', () => {
    const spec = createSpec({ name: 'x', memory: 4096, devices: { disks: [{ type: 'file', device: 'disk', source: { file: '[d] a.vmdk' }, target: { dev: 'sdh' } }] } }, ctx);
    const [ctrl, disk] = spec.deviceChange.map((c: Vi) => c.device);
    expect(ctrl).toMatchObject({ _type: 'VirtualLsiLogicController', busNumber: 0 });
    expect(disk).toMatchObject({ _type: 'VirtualDisk', controllerKey: ctrl.key, unitNumber: 8 });
    for (const [bus, dev] of [['scsi', 'sdo'], ['sata', 'sdae'], ['ide', 'hdd'], ['fdc', 'fdb']] as const) expect(diskName(bus, slotOf(bus, dev))).toBe(dev);
  });

  it('maps distributed port groups, static MACs and legacy SCSI driver names', () => {
    const spec = createSpec(
      {
        name: 'x',
        memory: 4096,
        devices: {
          interfaces: [{ type: 'bridge', source: { bridge: 'dv-pg' } }],
          disks: [{ type: 'file', device: 'disk', driver: { name: 'buslogic' }, source: { file: '[d] a.vmdk' }, target: { dev: 'sda' } }],
        },
      },
      ctx,
    );
    const types = spec.deviceChange.map((c: Vi) => c.device._type);
    expect(types).toEqual(['VirtualBusLogicController', 'VirtualDisk', 'VirtualE1000']);
    expect(spec.deviceChange[2].device.backing).toEqual({ _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo', port: { switchUuid: '50 1a', portgroupKey: 'dvportgroup-1' } });
  });

  it('refuses what ESX cannot express, naming the element', () => {
    const bad: Array<[Partial<DomainDefinition>, string]> = [
      [{ title: 't' }, 'title'],
      [{ devices: { filesystems: [{ type: 'mount', source: { dir: '/a' }, target: { dir: 'a' } }] } }, 'devices/filesystem'],
      [{ devices: { disks: [{ type: 'file', device: 'disk', source: { file: '[d] a' }, target: { dev: 'vda', bus: 'virtio' } }] } }, 'devices/disk[1]/target@bus'],
      [{ devices: { disks: [{ type: 'block', device: 'disk', source: { dev: '/dev/sdb' }, target: { dev: 'sda' } }] } }, 'devices/disk[1]'],
      [{ devices: { interfaces: [{ type: 'bridge', source: { bridge: 'VM Network' }, model: { type: 'virtio' } }] } }, 'devices/interface[1]/model@type'],
      [{ devices: { graphics: [{ type: 'spice' }] } }, 'devices/graphics'],
      [{ devices: { serials: [{ type: 'pty' }] } }, 'devices/serial[1]@type'],
      [{ vcpu: { count: 3 }, cpu: { topology: { sockets: 2, cores: 2, threads: 1 } } }, 'cpu/topology'],
      [{ devices: { controllers: [{ type: 'scsi', index: 0, model: 'virtio-scsi' }] } }, "devices/controller[@type='scsi'][@index='0']@model"],
    ];
    for (const [extra, element] of bad) {
      expect(() => createSpec({ name: 'x', memory: 4096, ...extra } as DomainDefinition, ctx), element).toThrowError(expect.objectContaining({ extra: expect.objectContaining({ element }) }));
    }
    expect(() => createSpec({ name: 'x'.repeat(81), memory: 4096 }, ctx)).toThrow(/at most 80/);
    expect(() => createSpec({ name: 'x', memory: 4096, devices: { interfaces: [{ type: 'bridge', source: { bridge: 'nope' } }] } }, ctx)).toThrowError(expect.objectContaining({ code: 'no-network' }));
  });

  it('an unchanged definition edits nothing; a changed one detaches, edits and attaches', () => {
    const cfg = configFromSpec(createSpec(full, ctx));
    cfg.hardware.device.forEach((d: Vi, i: number) => d.key < 0 && (d.key = 1000 + i));
    const keyOf = new Map(cfg.hardware.device.map((d: Vi, i: number) => [createSpec(full, ctx).deviceChange[i - 3]?.device.key, d.key]));
    for (const d of cfg.hardware.device) if (keyOf.has(d.controllerKey)) d.controllerKey = keyOf.get(d.controllerKey);
    expect(editDeviceChanges(cfg, full, ctx)).toEqual([]);
    const changed = structuredClone(full);
    changed.devices!.disks = changed.devices!.disks!.slice(0, 1);
    changed.devices!.controllers = changed.devices!.controllers!.slice(0, 1);
    changed.devices!.interfaces![0]!.source = { bridge: 'dv-pg' };
    const ops = editDeviceChanges(cfg, changed, ctx).map((c) => [c.operation, c.device._type]);
    expect(ops).toEqual([
      ['remove', 'VirtualDisk'],
      ['remove', 'VirtualCdrom'],
      ['remove', 'VirtualLsiLogicController'],
      ['edit', 'VirtualVmxnet3'],
    ]);
  });

  it('reads limits, shares levels and Tools-less devices as libvirt reports them', () => {
    const def = definitionFromConfig({
      name: 'a%2fb',
      memoryAllocation: { limit: -1, reservation: 0 },
      cpuAllocation: { shares: { level: 'high', shares: 0 } },
      hardware: { memoryMB: 64, numCPU: 2, numCoresPerSocket: 1, device: [] },
    });
    expect(def).toMatchObject({ name: 'a/b', memory: 65536, currentMemory: 65536, cputune: { shares: 4000 } });
    expect(def.memtune).toBeUndefined();
  });
});

describe('tuning and snapshots', () => {
  it('builds ReconfigVM specs from PATCH fields', () => {
    expect(patchSpec({ memory: 100_000, vcpus: 2 }, { memoryMB: 64 })).toEqual({ memoryMB: 100, numCPUs: 2 });
    expect(patchSpec({ currentMemory: 65536 }, { memoryMB: 64 })).toEqual({ memoryAllocation: { limit: -1 } });
    expect(patchSpec({ scheduler: { cpu: { shares: 'high', limit: 1000 }, memory: { reservation: 2048 } } }, { memoryMB: 64 })).toEqual({
      cpuAllocation: { shares: { level: 'high', shares: 0 }, limit: 1000 },
      memoryAllocation: { reservation: 2 },
    });
    expect(patchSpec({ autostart: true }, { memoryMB: 64 })).toBeUndefined();
    expect(() => patchSpec({ currentMemory: 1 << 30 }, { memoryMB: 64 })).toThrow(/exceeds/);
  });

  it('flattens the snapshot tree with parents and marks the current one', () => {
    const ref = (v: string) => ({ type: 'VirtualMachineSnapshot', value: v });
    const t = treeOf({
      currentSnapshot: ref('s2'),
      rootSnapshotList: [{ snapshot: ref('s1'), name: 'a', id: 1, state: 'poweredOff', childSnapshotList: [{ snapshot: ref('s2'), name: 'b', id: 2, state: 'poweredOn' }] }],
    });
    expect(t.flat.map((s) => [s.name, s.parent, s.current, s.state])).toEqual([['a', null, false, 'shutoff'], ['b', 'a', true, 'running']]);
    expect(t.roots[0]!.children[0]!.name).toBe('b');
  });
});
