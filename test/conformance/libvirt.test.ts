// libvirt's own VMX conversion tests (tests/vmx2xmldata, tests/xml2vmxdata, tests/esxutilstest.c),
// run against esxgate's conversion core. Data: ../shared/conformance/libvirt (see its README).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionError } from '../../src/domain/errors.js';
import { formatDomainXml } from '../../src/domain-xml/format.js';
import { parseDomainXmlReport } from '../../src/domain-xml/parse.js';
import { dateTimeToEpoch, escapeDatastoreItem, parseDatastorePath, windows1252ToUtf8 } from '../../src/esx/index.js';
import { domainToVmx } from '../../src/vmx/from-domain.js';
import { harnessFileNames } from '../../src/vmx/file-names.js';
import { vmxToDomain } from '../../src/vmx/to-domain.js';
import { normalizeNewlines, vmxEntries, xmlTree } from './compare.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, '../shared/conformance/libvirt');
const present = existsSync(path.join(dataDir, 'cases.json'));
if (!present) console.log(`libvirt conformance: ${dataDir} not found, suite skipped`);

interface Vmx2XmlCase {
  name: string;
  expectFailure?: boolean;
  options?: { datacenterPath?: string };
}
interface Xml2VmxCase {
  name: string;
  output: string;
  virtualHWVersion: number;
}

const read = (...parts: string[]) => readFileSync(path.join(dataDir, ...parts));
const readText = (...parts: string[]) => normalizeNewlines(read(...parts).toString('utf8'));
const cases = present
  ? (JSON.parse(readText('cases.json')) as { vmx2xml: Vmx2XmlCase[]; xml2vmx: Xml2VmxCase[] })
  : { vmx2xml: [], xml2vmx: [] };

// The harness of libvirt's vmx2xml test: bare names live in '[datastore] directory'.
const toXml = (name: string, datacenterPath?: string) =>
  formatDomainXml(
    vmxToDomain(new Uint8Array(read('vmx2xml', `${name}.vmx`)), {
      vmxDir: '[datastore] directory',
      datacenterPath,
      parseFileName: harnessFileNames.parseFileName,
    }),
  );

// The harness of libvirt's xml2vmx test: model 'auto' SCSI controllers are detected as lsilogic.
const toVmx = (name: string, virtualHW: number) => {
  const { definition, unsupported } = parseDomainXmlReport(readText('xml2vmx', `xml2vmx-${name}.xml`));
  expect(unsupported).toEqual([]);
  return domainToVmx(definition, {
    virtualHW,
    formatFileName: harnessFileNames.formatFileName,
    autodetectScsiControllerModel: () => 'lsilogic',
  });
};

const exact = { vmx2xml: [0, 0], xml2vmx: [0, 0] };

describe.skipIf(!present)('libvirt conformance', () => {
  afterAll(() => {
    const [xmlMatch, xmlTotal] = exact.vmx2xml;
    const [vmxMatch, vmxTotal] = exact.xml2vmx;
    console.log(
      `libvirt conformance: vmx2xml ${xmlMatch} of ${xmlTotal} match exactly as text; ` +
        `xml2vmx ${vmxMatch} of ${vmxTotal} match exactly as text; ` +
        `${xmlMatch + vmxMatch} of ${xmlTotal + vmxTotal} match exactly as text`,
    );
  });

  describe('vmx2xml', () => {
    for (const c of cases.vmx2xml) {
      if (c.expectFailure) {
        it(`${c.name} fails with a clear error`, () => {
          let error: unknown;
          try {
            toXml(c.name, c.options?.datacenterPath);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConversionError);
          expect((error as ConversionError).message.length).toBeGreaterThan(10);
        });
        continue;
      }
      it(c.name, () => {
        const actual = toXml(c.name, c.options?.datacenterPath);
        const expected = readText('vmx2xml', `${c.name}.xml`);
        expect(xmlTree(actual)).toEqual(xmlTree(expected));
        exact.vmx2xml[1]!++;
        if (actual === expected) exact.vmx2xml[0]!++;
      });
    }

    // Pairs in the folder that cases.json does not list (newer libvirt cases): checked as well.
    const listed = new Set(cases.vmx2xml.map((c) => c.name));
    const extra = present
      ? readdirSync(path.join(dataDir, 'vmx2xml'))
          .filter((f) => f.endsWith('.vmx') && !listed.has(f.slice(0, -4)) && existsSync(path.join(dataDir, 'vmx2xml', `${f.slice(0, -4)}.xml`)))
          .map((f) => f.slice(0, -4))
      : [];
    for (const name of extra) {
      it(`${name} (not in cases.json)`, () => {
        expect(xmlTree(toXml(name))).toEqual(xmlTree(readText('vmx2xml', `${name}.xml`)));
      });
    }
  });

  describe('xml2vmx', () => {
    for (const c of cases.xml2vmx) {
      it(`${c.name} (virtualHW ${c.virtualHWVersion})`, () => {
        const actual = toVmx(c.name, c.virtualHWVersion);
        const expected = readText('xml2vmx', `xml2vmx-${c.output}.vmx`);
        expect(vmxEntries(actual)).toEqual(vmxEntries(expected));
        exact.xml2vmx[1]!++;
        if (actual === expected) exact.xml2vmx[0]!++;
      });
    }
  });

  describe('domain XML round trip (parse, format) of every golden XML', () => {
    const files = present ? readdirSync(path.join(dataDir, 'vmx2xml')).filter((f) => f.endsWith('.xml')) : [];
    for (const file of files) {
      it(file, () => {
        const text = readText('vmx2xml', file);
        const { definition, unsupported } = parseDomainXmlReport(text);
        expect(unsupported).toEqual([]);
        expect(formatDomainXml(definition)).toBe(text);
      });
    }
  });

  describe('esxutils vectors', () => {
    const vectors = present
      ? (JSON.parse(readText('esxutils-vectors.json')) as {
          parseDatastorePath: { datastorePath: string; result: number; datastoreName: string | null; directoryName: string | null; directoryAndFileName: string | null }[];
          dateTimeToCalendarTime: { dateTime: string; calendarTime: number }[];
          escapeDatastoreItem: { input: string; inputUtf8Hex: string; escaped: string }[];
          windows1252ToUtf8: { windows1252Hex: string; utf8: string }[];
        })
      : { parseDatastorePath: [], dateTimeToCalendarTime: [], escapeDatastoreItem: [], windows1252ToUtf8: [] };

    for (const v of vectors.parseDatastorePath) {
      it(`parseDatastorePath ${JSON.stringify(v.datastorePath)}`, () => {
        if (v.result !== 0) {
          expect(() => parseDatastorePath(v.datastorePath)).toThrow(ConversionError);
          return;
        }
        const parsed = parseDatastorePath(v.datastorePath);
        expect({ datastore: parsed.datastore, directoryName: parsed.directoryName, path: parsed.path }).toEqual({
          datastore: v.datastoreName,
          directoryName: v.directoryName,
          path: v.directoryAndFileName,
        });
      });
    }
    for (const v of vectors.dateTimeToCalendarTime) {
      it(`dateTimeToEpoch ${v.dateTime}`, () => expect(dateTimeToEpoch(v.dateTime)).toBe(v.calendarTime));
    }
    for (const v of vectors.escapeDatastoreItem) {
      it(`escapeDatastoreItem ${JSON.stringify(v.input)}`, () => {
        const input = Buffer.from(v.inputUtf8Hex, 'hex').toString('utf8');
        expect(input).toBe(v.input);
        expect(escapeDatastoreItem(input)).toBe(v.escaped);
      });
    }
    for (const v of vectors.windows1252ToUtf8) {
      it(`windows1252ToUtf8 ${v.windows1252Hex}`, () => {
        expect(windows1252ToUtf8(new Uint8Array(Buffer.from(v.windows1252Hex, 'hex')))).toBe(v.utf8);
      });
    }
  });
});
