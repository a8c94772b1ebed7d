// Domain -> VMX edge cases beyond libvirt's golden files.
import { describe, expect, it } from 'vitest';
import type { DiskDef, DomainDefinition } from '../../../src/domain/model.js';
import { createFileNameMapper, harnessFileNames } from '../../../src/vmx/file-names.js';
import { domainToVmx } from '../../../src/vmx/from-domain.js';
import { vmxEntries } from '../../conformance/compare.js';
import { conversionError } from '../../helpers/conversion.js';

const def = (extra: Partial<DomainDefinition> = {}): DomainDefinition => ({ name: 'vm', memory: 1048576, ...extra });
const vmx = (d: DomainDefinition, virtualHW = 13) =>
  vmxEntries(domainToVmx(d, { virtualHW, formatFileName: harnessFileNames.formatFileName }));
const failure = (d: DomainDefinition, virtualHW = 13) =>
  conversionError(() => domainToVmx(d, { virtualHW, formatFileName: harnessFileNames.formatFileName }));
const disk = (dev: string, extra: Partial<DiskDef> = {}): DiskDef => ({
  type: 'file',
  device: 'disk',
  source: { file: `[ds] vm/${dev}.vmdk` },
  target: { dev, bus: 'scsi' },
  ...extra,
});

describe('domainToVmx', () => {
  it('writes the defaults of a bare definition', () => {
    expect(vmx(def())).toEqual({
      '.encoding': 'UTF-8',
      'config.version': '8',
      'virtualHW.version': '13',
      guestOS: 'other',
      'uuid.action': 'create',
      displayName: 'vm',
      memsize: '1024',
      numvcpus: '1',
      'floppy0.present': 'false',
      'floppy1.present': 'false',
      'vmci0.present': 'true',
    });
  });

  it('escapes the name and description', () => {
    const e = vmx(def({ name: 'a/b|"c" 100%', description: 'two\nlines "q"' }));
    expect(e.displayName).toBe('a%2fb|7c|22c|22 100%25');
    expect(e.annotation).toBe('two|0alines |22q|22');
  });

  it('rounds memory up to 4 MiB and writes the balloon target and reservation', () => {
    const e = vmx(def({ memory: 1000000, currentMemory: 500000, memtune: { minGuarantee: 1000 } }));
    expect([e.memsize, e['sched.mem.max'], e['sched.mem.minsize']]).toEqual(['980', '489', '1']);
  });

  it('writes the generation id as two signed halves', () => {
    const e = vmx(def({ genid: '00000000-0000-0001-ffff-ffffffffffff' }));
    expect([e['vm.genid'], e['vm.genidX']]).toEqual(['1', '-1']);
  });

  it('refuses what VMX cannot express', () => {
    expect(failure(def({ vcpu: { count: 4, current: 2 } })).message).toContain("attribute 'current'");
    expect(failure(def({ vcpu: { count: 4 }, cpu: { topology: { sockets: 3, cores: 2, threads: 1 } } })).message).toContain('as 4 but found 6');
    expect(failure(def({ vcpu: { count: 4 }, cpu: { topology: { sockets: 2, cores: 1, threads: 2 } } })).code).toBe('config-unsupported');
    expect(failure(def({ cpu: { mode: 'host-passthrough' } })).message).toContain("mode 'custom'");
    expect(failure(def({ memtune: { hardLimit: 1024 } })).code).toBe('config-unsupported');
    expect(failure(def({ os: { type: 'hvm', smbios: { mode: 'sysinfo' } } })).message).toContain('SMBIOS');
    expect(failure(def({ devices: { graphics: [{ type: 'spice' }] } })).message).toContain("'spice'");
    expect(failure(def({ devices: { videos: [{ model: { type: 'qxl' } }] } })).message).toContain("'qxl'");
    expect(failure(def({ devices: { interfaces: [{ type: 'network', source: { network: 'default' } }] } })).message).toContain("'network'");
    expect(failure(def({ devices: { tpms: [{ model: 'tpm-tis', backend: { type: 'passthrough' } }] } })).code).toBe('config-unsupported');
    expect(failure(def(), 3).code).toBe('invalid-arg');
  });

  it('places disks by address or name and checks that they agree', () => {
    expect(vmx(def({ devices: { disks: [disk('sdq')] } }))['scsi1:1.fileName']).toBe('/vmfs/volumes/ds/vm/sdq.vmdk');
    // Hardware 13+ reads unit 16 "super wide"; the address says which reading is meant.
    const wide = disk('sdq', { address: { type: 'drive', controller: 0, bus: 0, target: 0, unit: 17 } });
    expect(vmx(def({ devices: { disks: [wide] } }))['scsi0:17.present']).toBe('true');
    expect(failure(def({ devices: { disks: [wide] } }), 10).message).toContain("doesn't match target device 'sdq'");
    expect(failure(def({ devices: { disks: [disk('hda')] } })).message).toContain("to start with 'sd'");
    expect(failure(def({ devices: { disks: [disk('vda', { target: { dev: 'vda', bus: 'virtio' } })] } })).message).toContain("'virtio'");
    expect(failure(def({ devices: { disks: [disk('sda', { source: { file: '[ds] a.qcow2' } })] } })).message).toContain("'.vmdk'");
    expect(failure(def({ devices: { disks: [disk('sda', { driver: { cache: 'none' } })] } })).message).toContain("cache mode 'none'");
  });

  it('takes the SCSI model from the controller, legacy driver names or autodetection', () => {
    const ctrl = (model?: string) => ({ type: 'scsi' as const, index: 0, ...(model ? { model } : {}) });
    expect(vmx(def({ devices: { disks: [disk('sda')], controllers: [ctrl('vmpvscsi')] } }))['scsi0.virtualDev']).toBe('pvscsi');
    expect(vmx(def({ devices: { disks: [disk('sda')], controllers: [ctrl()] } }))['scsi0.virtualDev']).toBeUndefined();
    const auto = domainToVmx(def({ devices: { disks: [disk('sda')], controllers: [ctrl('auto')] } }), {
      virtualHW: 13,
      formatFileName: harnessFileNames.formatFileName,
      autodetectScsiControllerModel: () => 'lsisas1068',
    });
    expect(vmxEntries(auto)['scsi0.virtualDev']).toBe('lsisas1068');
    expect(failure(def({ devices: { disks: [disk('sda', { driver: { name: 'foo' } })] } })).message).toContain("Unknown driver name 'foo'");
    expect(failure(def({ devices: { disks: [disk('sda', { driver: { name: 'buslogic' } })], controllers: [ctrl('lsilogic')] } })).message).toContain(
      'Inconsistent SCSI controller model',
    );
    expect(failure(def({ devices: { disks: [disk('sda')], controllers: [ctrl('virtio-scsi')] } })).message).toContain("found 'virtio-scsi'");
  });

  it('writes SATA disks and CD-ROMs', () => {
    const e = vmx(
      def({
        devices: {
          disks: [
            disk('sda', { target: { dev: 'sda', bus: 'sata' } }),
            { type: 'file', device: 'cdrom', target: { dev: 'sdb', bus: 'sata' } },
          ],
        },
      }),
    );
    expect(e).toMatchObject({
      'sata0.present': 'true',
      'sata0:0.fileName': '/vmfs/volumes/ds/vm/sda.vmdk',
      'sata0:1.deviceType': 'cdrom-image',
      'sata0:1.fileName': 'emptyBackingString',
    });
    expect(e['sata0:0.deviceType']).toBeUndefined();
  });

  it('guesses MAC handling from the VMware ranges unless told', () => {
    const nic = (address: string, extra = {}) => ({ type: 'bridge' as const, source: { bridge: 'LAN' }, mac: { address, ...extra } });
    const e = vmx(
      def({
        devices: {
          interfaces: [
            nic('00:50:56:80:00:01'),
            nic('00:50:56:00:00:01'),
            nic('00:0c:29:00:00:01'),
            nic('52:54:00:00:00:01'),
            nic('52:54:00:00:00:02', { type: 'generated' }),
            { type: 'null' },
          ],
        },
      }),
    );
    expect([e['ethernet0.addressType'], e['ethernet1.addressType'], e['ethernet2.addressType'], e['ethernet3.addressType']]).toEqual([
      'vpx',
      'static',
      'generated',
      'static',
    ]);
    expect(e['ethernet3.checkMACAddress']).toBe('false');
    expect([e['ethernet4.addressType'], e['ethernet4.checkMACAddress']]).toEqual(['generated', undefined]);
    // No address: ESX generates one.
    expect([e['ethernet5.addressType'], e['ethernet5.generatedAddress']]).toEqual(['generated', undefined]);
    expect(failure(def({ devices: { interfaces: Array.from({ length: 5 }, () => ({ type: 'null' as const })) } }), 4).message).toContain(
      'out of [0..3] range',
    );
  });

  it('writes files inside vmxDir as bare names when asked (as ESX does)', () => {
    const { formatFileName } = createFileNameMapper({ relativeToVmxDir: true });
    const text = domainToVmx(def({ devices: { disks: [disk('sda'), disk('sdb', { source: { file: '[other] vm/sdb.vmdk' } })] } }), {
      virtualHW: 13,
      vmxDir: '[ds] vm',
      formatFileName,
    });
    expect(vmxEntries(text)['scsi0:0.fileName']).toBe('sda.vmdk');
    expect(vmxEntries(text)['scsi0:1.fileName']).toBe('/vmfs/volumes/other/vm/sdb.vmdk');
  });

  it('refuses relative file names', () => {
    expect(failure(def({ devices: { disks: [disk('sda', { source: { file: 'vm/sda.vmdk' } })] } })).message).toContain('neither a datastore path');
  });

  it('writes a vTPM and an implicit video device for graphics', () => {
    const e = vmx(def({ devices: { tpms: [{ model: 'tpm-crb', backend: { type: 'emulator', version: '2.0' } }], graphics: [{ type: 'vnc', autoport: true }] } }));
    expect(e['vtpm.present']).toBe('true');
    expect(e['svga.vramSize']).toBe('4194304');
    expect(e['RemoteDisplay.vnc.port']).toBeUndefined();
  });
});
