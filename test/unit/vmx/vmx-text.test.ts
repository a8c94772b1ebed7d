import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../../src/domain/errors.js';
import { VmxConfig } from '../../../src/vmx/config.js';
import { formatVmx, parseVmx, sniffVmxEncoding } from '../../../src/vmx/text.js';

describe('VMX syntax', () => {
  it('reads comments, blank lines, CRLF, spacing and a BOM', () => {
    const conf = parseVmx('\uFEFF# a comment\r\n\r\ndisplayName=   "a b"   # trailing\r\n  memsize = "64"\n');
    expect(conf.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['displayName', 'a b', 3],
      ['memsize', '64', 4],
    ]);
  });

  it('looks keys up in any case, first occurrence winning', () => {
    const conf = parseVmx('DISPLAYNAME = "one"\ndisplayname = "two"\n');
    expect(conf.get('displayName')).toBe('one');
    expect(conf.has('DisplayName')).toBe(true);
  });

  it('accepts unquoted values from hand-edited files', () => {
    expect(parseVmx('memsize = 512 # MB').get('memsize')).toBe('512');
  });

  it('reports bad lines with their number', () => {
    for (const [text, line] of [
      ['a = "1"\nno equals sign\n', 2],
      ['a = "1"\nb = "unterminated\n', 2],
      ['a = "1" junk\n', 1],
      ['= "x"\n', 1],
    ] as const) {
      let error: unknown;
      try {
        parseVmx(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConversionError);
      expect((error as ConversionError).line).toBe(line);
      expect((error as ConversionError).message).toContain(`line ${line}`);
    }
  });

  it('decodes bytes with the charset named by .encoding', () => {
    const bytes = new Uint8Array([...Buffer.from('.encoding = "windows-1252"\ndisplayName = "M'), 0xfc, ...Buffer.from('ller \x80"\n', 'latin1')]);
    expect(sniffVmxEncoding(bytes)).toBe('windows-1252');
    expect(parseVmx(bytes).get('displayName')).toBe('Müller €');
    expect(parseVmx(new TextEncoder().encode('displayName = "Müller"\n')).get('displayName')).toBe('Müller');
  });

  it('refuses an unknown .encoding', () => {
    expect(() => parseVmx(Buffer.from('.encoding = "klingon"\n'))).toThrow(/Encoding 'klingon' is not supported/);
  });

  it('formats entries and refuses values VMX cannot hold', () => {
    expect(formatVmx([['a', '1'], ['b.c', 'x y']])).toBe('a = "1"\nb.c = "x y"\n');
    expect(() => formatVmx([['a', 'say "hi"']])).toThrow(ConversionError);
    expect(() => formatVmx([['a', 'two\nlines']])).toThrow(ConversionError);
  });
});

describe('VMX values (libvirt semantics)', () => {
  const conf = VmxConfig.fromRecord({ t: 'TRUE', f: 'false', x: 'yes', n: ' 42 ', u: 'unlimited', bad: '4k' });

  it('reads booleans in any case, else errors', () => {
    expect(conf.boolean('t', false)).toBe(true);
    expect(conf.boolean('f', true)).toBe(false);
    expect(conf.boolean('missing', true)).toBe(true);
    expect(() => conf.boolean('x', false)).toThrow("Config entry 'x' must represent a boolean value (true|false)");
  });

  it("reads integers, 'unlimited' as -1", () => {
    expect(conf.long('n', 0)).toBe(42);
    expect(conf.long('u', 0)).toBe(-1);
    expect(conf.long('missing', 7)).toBe(7);
    expect(() => conf.long('bad', 0)).toThrow("Config entry 'bad' must represent an integer value");
    expect(() => conf.long('missing', 0, true)).toThrow("Missing essential config entry 'missing'");
  });

  it('lists device indices', () => {
    expect(VmxConfig.fromRecord({ 'ethernet2.present': 'x', 'Ethernet0.a': 'y', 'ethernetX.b': 'z' }).indices('ethernet')).toEqual([0, 2]);
  });
});
