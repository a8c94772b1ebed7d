import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../../src/domain/errors.js';
import {
  dateTimeToEpoch,
  decodeText,
  escapeDatastoreItem,
  escapeDomainName,
  escapeVmxAnnotation,
  escapeVmxDisplayName,
  formatDatastorePath,
  isSupportedEncoding,
  parseDatastorePath,
  unescapeDomainName,
  unescapeVmxAnnotation,
  unescapeVmxDisplayName,
  validateDatastorePath,
} from '../../../src/esx/index.js';

describe('hex escaping', () => {
  it('percent-encodes %, / and \\ in domain names, and back', () => {
    expect(escapeDomainName('a/b\\c%d')).toBe('a%2fb%5cc%25d');
    expect(unescapeDomainName('a%2fb%5Cc%25d')).toBe('a/b\\c%d');
  });

  it('unescapes UTF-8 bytes written as escapes', () => {
    expect(unescapeDomainName('M%c3%bcller')).toBe('Müller');
  });

  it('refuses a broken escape with a ConversionError', () => {
    expect(() => unescapeDomainName('50%')).toThrow(ConversionError);
    expect(() => unescapeDomainName('50%zz')).toThrow(/invalid escape sequence/);
  });

  it('escapes a displayName twice: pipe for | and ", then percent', () => {
    const name = 'web|01 "prod" 50%/x';
    const escaped = escapeVmxDisplayName(name);
    expect(escaped).toBe('web|7c01 |22prod|22 50%25%2fx');
    expect(unescapeVmxDisplayName(escaped)).toBe(name);
  });

  it('escapes control characters in annotations as the vSphere client does', () => {
    expect(escapeVmxAnnotation('line 1\nline "2"|x')).toBe('line 1|0aline |222|22|7cx');
    expect(unescapeVmxAnnotation('line 1|0Aline 2')).toBe('line 1\nline 2');
  });

  it('keeps non-ASCII text as it is', () => {
    expect(escapeVmxAnnotation('Grüße – €')).toBe('Grüße – €');
  });
});

describe('datastore items', () => {
  it('replaces Windows characters, then percent, then base64 runs', () => {
    expect(escapeDatastoreItem('vm: "a"')).toBe('vm_ _a_');
    expect(escapeDatastoreItem('plain-name_1.0 (copy)')).toBe('plain-name_1.0 (copy)');
    expect(escapeDatastoreItem('~')).toBe('+fg');
  });
});

describe('datastore paths', () => {
  it('parses and formats', () => {
    expect(parseDatastorePath('[ds 1]   dir/sub/file.vmdk')).toEqual({
      datastore: 'ds 1',
      path: 'dir/sub/file.vmdk',
      directory: 'dir/sub',
      file: 'file.vmdk',
      directoryName: 'dir/sub',
    });
    expect(parseDatastorePath('[ds] file.iso')).toMatchObject({ directory: '', file: 'file.iso', directoryName: 'file.iso' });
    expect(formatDatastorePath('ds', 'a/b')).toBe('[ds] a/b');
    expect(formatDatastorePath('ds')).toBe('[ds]');
  });

  it('validates paths for the storage API', () => {
    expect(validateDatastorePath('[ds] vm/vm.vmdk').file).toBe('vm.vmdk');
    expect(validateDatastorePath('[ds] vm/').directory).toBe('vm');
    for (const bad of ['[ds] ../etc/passwd', '[ds] vm/../../x', '[ds] ./x', '[ds] a//b', '[ds] /abs', '[ds] a\\b', '[ds] a\nb', '[ds] a\u0000', 'ds/x', '[] x']) {
      expect(() => validateDatastorePath(bad), bad).toThrow(ConversionError);
    }
  });
});

describe('xsd:dateTime', () => {
  it('converts with and without zones and fractions', () => {
    expect(dateTimeToEpoch('2010-04-05T12:13:55.316789+02:00')).toBe(Date.UTC(2010, 3, 5, 10, 13, 55) / 1000);
    expect(dateTimeToEpoch('1970-01-02T00:00:00')).toBe(86400);
    const year99 = new Date(0);
    year99.setUTCFullYear(99, 0, 1);
    expect(dateTimeToEpoch('0099-01-01T00:00:00Z')).toBe(year99.getTime() / 1000);
  });

  it('refuses malformed values', () => {
    for (const bad of ['2010-04-05', '2010-13-01T00:00:00Z', 'yesterday', '2010-04-05T12:13:55+0200']) {
      expect(() => dateTimeToEpoch(bad), bad).toThrow(ConversionError);
    }
  });
});

describe('encodings', () => {
  it('decodes windows-1252 including the 0x80-0x9f block', () => {
    expect(decodeText(new Uint8Array([0x80, 0x96, 0x9f, 0xfc]), 'windows-1252')).toBe('€–Ÿü');
  });

  it('decodes ISO-8859-1 as Latin-1, not as windows-1252', () => {
    expect(decodeText(new Uint8Array([0x80, 0xe4]), 'ISO-8859-1')).toBe('\u0080ä');
  });

  it('uses TextDecoder for other encodings and refuses unknown ones', () => {
    expect(decodeText(new Uint8Array([0xe4, 0xbd, 0xa0]), 'UTF-8')).toBe('你');
    expect(isSupportedEncoding('no-such-charset')).toBe(false);
    expect(() => decodeText(new Uint8Array([0x41]), 'no-such-charset')).toThrow(/not supported/);
  });
});
