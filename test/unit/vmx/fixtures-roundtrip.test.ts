// Real-world VMX shapes (ESX 6.7/7/8, Workstation 17 with windows-1252) in test/fixtures/vmx:
// VMX -> model -> VMX keeps every entry the conversion supports, and model -> XML -> model is
// lossless.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { DomainDefinition } from '../../../src/domain/schema.js';
import { formatDomainXml } from '../../../src/domain-xml/format.js';
import { parseDomainXmlReport } from '../../../src/domain-xml/parse.js';
import { unescapeVmxAnnotation } from '../../../src/esx/escape.js';
import { VmxConfig } from '../../../src/vmx/config.js';
import { createFileNameMapper } from '../../../src/vmx/file-names.js';
import { domainToVmx } from '../../../src/vmx/from-domain.js';
import { parseVmx } from '../../../src/vmx/text.js';
import { vmxToDomain } from '../../../src/vmx/to-domain.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/vmx');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.vmx'));

// The VMX entries libvirt's conversion maps (others, such as guestOS beyond its -64 suffix,
// nvram or uefi.secureBoot.enabled, are not part of the domain model).
const SUPPORTED = [
  /^displayName$/,
  /^annotation$/,
  /^uuid\.bios$/,
  /^memsize$/,
  /^sched\.mem\.(max|minsize)$/,
  /^numvcpus$/,
  /^cpuid\.coresPerSocket$/,
  /^sched\.cpu\.(affinity|shares)$/,
  /^smbios\.reflecthost$/,
  /^firmware$/,
  /^vtpm\.present$/,
  /^vm\.genidX?$/,
  /^svga\.vramSize$/,
  /^RemoteDisplay\.vnc\.(enabled|port|ip|keymap|password)$/,
  /^(scsi\d|sata\d)\.(present|virtualDev)$/,
  /^(scsi|sata|ide)\d:\d+\.(present|deviceType|fileName|writeThrough|mode|autodetect)$/,
  /^floppy\d\.(present|fileType|fileName)$/,
  /^ethernet\d\.(present|virtualDev|features|networkName|connectionType|vnet|addressType|generatedAddress|generatedAddressOffset|address|checkMACAddress)$/,
  /^ethernet\d\.dvs\.(switchId|portId|portgroupId|connectionId)$/,
  /^serial\d\.(present|fileType|fileName|network\.endPoint)$/,
  /^parallel\d\.(present|fileType|fileName)$/,
  /^isolation\.tools\.hgfs\.disable$/,
  /^sharedFolder\.maxNum$/,
  /^sharedFolder\d\.(present|enabled|writeAccess|hostPath|guestName)$/,
].map((re) => new RegExp(re.source, 'i'));

/** Device prefix of a key ('scsi0:1', 'ethernet0', 'serial1'...), to skip absent and client devices. */
const devicePrefix = (key: string) => /^((?:scsi|sata|ide)\d:\d+|ethernet\d|serial\d|parallel\d|sharedFolder\d)\./i.exec(key)?.[1];

/** Entries that must survive: supported, of present devices, not meaning "default". */
function expectedEntries(conf: VmxConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, value } of conf.entries) {
    if (!SUPPORTED.some((re) => re.test(key))) continue;
    const device = devicePrefix(key);
    if (device && (!conf.boolean(`${device}.present`, false) || conf.boolean(`${device}.clientDevice`, false))) continue;
    const k = key.toLowerCase();
    if (k === 'sched.cpu.affinity' && value.toLowerCase() === 'all') continue;
    if (k === 'sched.mem.minsize' && value === '0') continue;
    if (k === 'sched.mem.max' && Number(value) >= Number(conf.get('memsize'))) continue;
    if (k.endsWith('.mode') && value.toLowerCase() !== 'independent-nonpersistent') continue;
    out.set(k, value);
  }
  return out;
}

const normalize = (key: string, value: string) => {
  if (key === 'annotation') return unescapeVmxAnnotation(value);
  if (key === 'svga.vramsize') return String(Math.ceil(Number(value) / 65536) * 65536);
  return value.toLowerCase();
};

describe('real-world VMX fixtures', () => {
  for (const file of fixtures) {
    const bytes = new Uint8Array(readFileSync(path.join(dir, file)));
    const vmxDir = `[datastore1] ${file.slice(0, -4)}`;
    const { parseFileName, formatFileName } = createFileNameMapper({ relativeToVmxDir: true, relativeWithSlash: 'resolve' });
    const conf = parseVmx(bytes);
    const virtualHW = conf.long('virtualHW.version', 0, true);

    it(`${file}: converts to a schema-valid definition`, () => {
      const def = vmxToDomain(conf, { vmxDir, parseFileName });
      expect([...Value.Errors(DomainDefinition, def)]).toEqual([]);
    });

    it(`${file}: VMX -> model -> VMX keeps the supported entries`, () => {
      const def = vmxToDomain(conf, { vmxDir, parseFileName });
      const back = parseVmx(domainToVmx(def, { virtualHW, vmxDir, formatFileName }));
      const lost: string[] = [];
      for (const [key, value] of expectedEntries(conf)) {
        const actual = back.get(key);
        if (actual === undefined || normalize(key, actual) !== normalize(key, value)) lost.push(`${key}: '${value}' -> '${actual}'`);
      }
      expect(lost).toEqual([]);
    });

    it(`${file}: model -> XML -> model is lossless`, () => {
      const def = vmxToDomain(conf, { vmxDir, parseFileName });
      expect(parseDomainXmlReport(formatDomainXml(def))).toEqual({ definition: def, unsupported: [] });
    });
  }

  it('decodes the windows-1252 fixture', () => {
    const def = vmxToDomain(new Uint8Array(readFileSync(path.join(dir, 'ws17-ubuntu-windows1252.vmx'))), { vmxDir: '[ds] vm' });
    expect(def.description).toBe('Entwicklungsrechner für Müller – Preis 5€\nzweite Zeile');
    expect(def.devices?.filesystems?.[0]?.source.dir).toBe('C:\\Users\\müller\\Projekte');
  });
});
