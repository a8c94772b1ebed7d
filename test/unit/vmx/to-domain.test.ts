// VMX -> domain edge cases beyond libvirt's golden files.
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { DomainDefinition } from '../../../src/domain/schema.js';
import { createFileNameMapper, harnessFileNames } from '../../../src/vmx/file-names.js';
import { vmxToDomain } from '../../../src/vmx/to-domain.js';
import { conversionError } from '../../helpers/conversion.js';

const base = 'config.version = "8"\nvirtualHW.version = "4"\ndisplayName = "t"\n';
const convert = (extra: string, hw?: number) =>
  vmxToDomain((hw ? base.replace('"4"', `"${hw}"`) : base) + extra, {
    vmxDir: '[ds] vm',
    parseFileName: harnessFileNames.parseFileName,
  });
const failure = (extra: string, hw?: number) => conversionError(() => convert(extra, hw));

describe('vmxToDomain', () => {
  it('produces definitions the JSON schema accepts', () => {
    const def = convert('numvcpus = "4"\ncpuid.coresPerSocket = "2"\nmemsize = "2048"\nsched.mem.max = "1024"\nsched.mem.minsize = "512"\n');
    expect(Value.Check(DomainDefinition, def)).toBe(true);
    expect(def).toMatchObject({
      memory: 2097152,
      currentMemory: 1048576,
      memtune: { minGuarantee: 524288 },
      vcpu: { count: 4, placement: 'static' },
      cpu: { topology: { sockets: 2, dies: 1, clusters: 1, cores: 2, threads: 1 } },
    });
  });

  it('needs config.version 8, virtualHW 4+ and a displayName', () => {
    expect(() => vmxToDomain('virtualHW.version = "4"\ndisplayName = "x"\n')).toThrow("Missing essential config entry 'config.version'");
    expect(() => vmxToDomain('config.version = "7"\nvirtualHW.version = "4"\n')).toThrow("to be 8 but found 7");
    expect(failure('', 3).message).toContain('4 or higher');
    expect(() => vmxToDomain('config.version = "8"\nvirtualHW.version = "4"\n')).toThrow("'displayName'");
  });

  it('unescapes the displayName and annotation', () => {
    const def = vmxToDomain('config.version = "8"\nvirtualHW.version = "4"\ndisplayName = "a%2fb |7c %25"\nannotation = "x|0Ay"\n');
    expect(def.name).toBe('a/b | %');
    expect(def.description).toBe('x\ny');
    expect(() => vmxToDomain('config.version = "8"\nvirtualHW.version = "4"\ndisplayName = "50%"\n')).toThrow(/invalid escape/);
  });

  it('maps share levels per vCPU and checks affinity', () => {
    expect(convert('numvcpus = "2"\nsched.cpu.shares = "low"\n').cputune).toEqual({ shares: 1000 });
    expect(convert('numvcpus = "2"\nsched.cpu.shares = "HIGH"\n').cputune).toEqual({ shares: 4000 });
    expect(failure('sched.cpu.shares = "lots"\n').path).toBe('sched.cpu.shares');
    expect(convert('numvcpus = "2"\nsched.cpu.affinity = "3, 1,2"\n').vcpu?.cpuset).toBe('1-3');
    expect(failure('numvcpus = "4"\nsched.cpu.affinity = "0,1"\n').message).toContain("at least as many values as 'numvcpus' (4)");
    expect(failure('sched.cpu.affinity = "0,x"\n').message).toContain('comma separated list');
  });

  it('checks memsize and numvcpus', () => {
    expect(failure('memsize = "30"\n').message).toContain('multiple of 4');
    expect(failure('numvcpus = "0"\n').message).toContain('greater than 0');
    expect(failure('numvcpus = "6"\ncpuid.coresPerSocket = "4"\n').message).toContain('not a multiple');
    expect(convert('memsize = "64"\nsched.mem.max = "unlimited"\n').currentMemory).toBe(65536);
  });

  it('reads the generation id halves as signed 64-bit numbers', () => {
    expect(convert('vm.genid = "1"\nvm.genidX = "-1"\n').genid).toBe('00000000-0000-0001-ffff-ffffffffffff');
  });

  it('reads firmware efi, tolerates bios, refuses other values', () => {
    expect(convert('firmware = "efi"\n').os?.firmware).toBe('efi');
    expect(convert('firmware = "bios"\n').os?.firmware).toBeUndefined();
    expect(failure('firmware = "coreboot"\n').message).toContain("unknown value 'coreboot'");
  });

  it('names disks "super wide" from hardware 13 on', () => {
    const vmx = 'scsi1.present = "true"\nscsi1:16.present = "true"\nscsi1:16.deviceType = "scsi-hardDisk"\nscsi1:16.fileName = "d.vmdk"\n';
    expect(convert(vmx, 13).devices?.disks?.[0]).toMatchObject({ target: { dev: 'sdcb' }, address: { controller: 1, unit: 16 } });
    // Before hardware 13, unit 16 does not exist on a SCSI controller.
    expect(convert(vmx, 12).devices?.disks).toBeUndefined();
  });

  it('names SATA disks sd[controller * 30 + unit] and adds a sata controller', () => {
    const def = convert('sata1.present = "true"\nsata1:2.present = "true"\nsata1:2.deviceType = "cdrom-image"\nsata1:2.fileName = "x.iso"\n');
    expect(def.devices?.disks?.[0]).toMatchObject({ device: 'cdrom', target: { dev: 'sdag', bus: 'sata' }, address: { controller: 1, unit: 2 } });
    expect(def.devices?.controllers).toEqual([
      { type: 'sata', index: 0 },
      { type: 'sata', index: 1 },
    ]);
  });

  it('skips client devices and absent devices', () => {
    const def = convert('ide1:0.present = "TRUE"\nide1:0.clientDevice = "TRUE"\nide1:0.deviceType = "atapi-cdrom"\nethernet0.present = "FALSE"\n');
    expect(def.devices?.disks).toBeUndefined();
    expect(def.devices?.interfaces).toBeUndefined();
  });

  it('refuses what libvirt refuses, naming the entry', () => {
    expect(failure('scsi0.present = "true"\nscsi0.virtualDev = "nvme"\n').path).toBe('scsi0.virtualDev');
    expect(failure('scsi0.present = "true"\nscsi0:0.present = "true"\nscsi0:0.fileName = "disk.raw"\n').path).toBe('scsi0:0.fileName');
    expect(failure('ethernet0.present = "true"\nethernet0.connectionType = "hostonly"\n').message).toContain("'hostonly'");
    expect(failure('ethernet0.present = "true"\nethernet0.virtualDev = "rtl8139"\n').path).toBe('ethernet0.virtualDev');
    expect(failure('ethernet0.present = "true"\nethernet0.addressType = "static"\nethernet0.address = "zz"\n').message).toContain('MAC address');
    expect(failure('serial0.present = "true"\nserial0.fileType = "thinprint"\n').path).toBe('serial0.fileType');
    expect(failure('serial0.present = "true"\nserial0.fileType = "network"\nserial0.fileName = "telnet://host"\n').message).toContain('port');
    expect(failure('serial0.present = "true"\nserial0.fileType = "network"\nserial0.fileName = "http://h:1"\n').message).toContain("'http'");
    expect(failure('floppy0.present = "true"\nfloppy0.fileType = "file"\nfloppy0.fileName = "sub/f.flp"\n').message).toContain('relative');
  });

  it('reads Workstation networks without networkName', () => {
    const def = convert('ethernet0.present = "true"\nethernet0.connectionType = "custom"\nethernet0.vnet = "VMnet3"\nethernet1.present = "true"\nethernet1.connectionType = "bridged"\n');
    expect(def.devices?.interfaces).toEqual([
      { type: 'bridge', mac: { address: '00:00:00:00:00:00' }, target: { dev: 'VMnet3' } },
      { type: 'bridge', mac: { address: '00:00:00:00:00:00' } },
    ]);
  });

  it('reads network serial ports with IPv6 hosts and ssl', () => {
    const def = convert('serial0.present = "true"\nserial0.fileType = "network"\nserial0.fileName = "tcp6+ssl://[::1]:4000"\nserial0.network.endPoint = "client"\n');
    expect(def.devices?.serials?.[0]).toEqual({
      type: 'tcp',
      source: { mode: 'connect', host: '::1', service: '4000' },
      protocol: { type: 'tls' },
      target: { port: 0 },
    });
  });

  it('maps /vmfs/volumes/<uuid> to datastore names when the driver knows them', () => {
    const { parseFileName } = createFileNameMapper({ datastores: [{ name: 'fast-ssd', url: 'ds:///vmfs/volumes/5e1a-77/' }] });
    const def = vmxToDomain(base + 'scsi0.present = "true"\nscsi0:0.present = "true"\nscsi0:0.fileName = "/vmfs/volumes/5e1a-77/vm/vm.vmdk"\n', {
      parseFileName,
    });
    expect(def.devices?.disks?.[0]?.source).toEqual({ file: '[fast-ssd] vm/vm.vmdk' });
  });

  it('reports the datacenter path and moref in the vmware namespace', () => {
    expect(vmxToDomain(base, { datacenterPath: 'dc1', moref: 'vm-42' }).vmware).toEqual({ datacenterPath: 'dc1', moref: 'vm-42' });
  });
});
