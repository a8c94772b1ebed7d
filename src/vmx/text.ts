// VMX file syntax: one `key = "value"` per line, '#' comments, no escapes inside the quotes
// (VMware escapes with '|XX' at the application level instead). The '.encoding' entry names the
// charset of the whole file; bytes are decoded with it, as libvirt re-reads the file after
// converting it to UTF-8.
import { ConversionError } from '../domain/errors.js';
import { decodeLatin1, decodeText } from '../esx/encoding.js';
import { VmxConfig, type VmxEntry } from './config.js';

const KEY = /^[^\s="#]+$/;

/** Parses VMX text (already decoded). Throws ConversionError('vmx-syntax') with the line number. */
export function parseVmxText(text: string): VmxConfig {
  const entries: VmxEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      throw new ConversionError('vmx-syntax', `VMX line ${line}: expecting 'key = "value"' but found '${trimmed}'`, { line });
    }
    const key = trimmed.slice(0, eq).trim();
    if (!KEY.test(key)) {
      throw new ConversionError('vmx-syntax', `VMX line ${line}: invalid key '${key}'`, { line });
    }
    let rest = trimmed.slice(eq + 1).trim();
    let value: string;
    if (rest.startsWith('"')) {
      const close = rest.indexOf('"', 1);
      if (close < 0) throw new ConversionError('vmx-syntax', `VMX line ${line}: unterminated string for '${key}'`, { line });
      value = rest.slice(1, close);
      rest = rest.slice(close + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        throw new ConversionError('vmx-syntax', `VMX line ${line}: unexpected text after the value of '${key}'`, { line });
      }
    } else {
      // Unquoted values are not VMware's syntax, but hand-edited files have them.
      const hash = rest.indexOf('#');
      value = (hash < 0 ? rest : rest.slice(0, hash)).trim();
    }
    entries.push({ key, value, line });
  });
  return new VmxConfig(entries);
}

/** The '.encoding' value of raw VMX bytes, read before decoding (the entry itself is ASCII). */
export function sniffVmxEncoding(bytes: Uint8Array): string | undefined {
  const head = decodeLatin1(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)));
  const m = /^[ \t]*\.encoding[ \t]*=[ \t]*"([^"\r\n]*)"/im.exec(head);
  return m?.[1];
}

/**
 * Parses a VMX file. Bytes are decoded with the charset named by '.encoding' (UTF-8 when absent);
 * a string is taken as already-decoded text.
 */
export function parseVmx(input: string | Uint8Array): VmxConfig {
  if (typeof input === 'string') return parseVmxText(input);
  const encoding = sniffVmxEncoding(input) ?? 'UTF-8';
  return parseVmxText(decodeText(input, encoding));
}

/** Formats entries as VMX text, one `key = "value"` line each, with a trailing newline. */
export function formatVmx(entries: Iterable<readonly [string, string]>): string {
  let out = '';
  for (const [key, value] of entries) {
    if (/["\r\n]/.test(value)) {
      throw new ConversionError('config-invalid', `VMX value for '${key}' cannot contain a double quote or a line break: '${value}'`, {
        path: key,
      });
    }
    out += `${key} = "${value}"\n`;
  }
  return out;
}
