// The hex escaping schemes of ESX (libvirt's virVMXEscapeHex family and its esx README):
// - vSphere names carry '%', '/' and '\' as %XX (a name is also a path element in the inventory);
// - a VMX displayName is that percent form with '|' and '"' escaped as |XX (a VMX value cannot
//   hold a double quote, and '|' is VMX's own escape character);
// - a VMX annotation is pipe-escaped ('|0A' for a newline, as the vSphere client writes it).
// Escapes use lower-case hex like libvirt; unescaping accepts either case and works on UTF-8
// bytes, so '%c3%a4' comes back as 'ä'.
import { ConversionError } from '../domain/errors.js';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** Escapes every character of `special` and the escape character itself as `<escape>xx`. */
export function escapeHex(value: string, escape: string, special: string | ((ch: string) => boolean)): string {
  const isSpecial = typeof special === 'string' ? (ch: string) => special.includes(ch) : special;
  let out = '';
  for (const ch of value) {
    if (ch === escape || isSpecial(ch)) {
      // Special characters are ASCII, so one UTF-8 byte each.
      out += escape + ch.charCodeAt(0).toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

const isHex = (b: number | undefined) =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));

/** Reverses escapeHex; throws on an escape character not followed by two hex digits (as libvirt). */
export function unescapeHex(value: string, escape: string, what = 'value'): string {
  if (!value.includes(escape)) return value;
  const bytes = utf8.encode(value);
  const esc = escape.charCodeAt(0);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b !== esc) {
      out[n++] = b;
      i += 1;
      continue;
    }
    if (!isHex(bytes[i + 1]) || !isHex(bytes[i + 2])) {
      throw new ConversionError('invalid-arg', `${what} '${value}' contains an invalid escape sequence`);
    }
    out[n++] = parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
    i += 3;
  }
  return utf8Decoder.decode(out.subarray(0, n));
}

/** vSphere name form: '%', '/' and '\' as %XX. */
export const escapeHexPercent = (value: string) => escapeHex(value, '%', '/\\');
export const unescapeHexPercent = (value: string, what = 'name') => unescapeHex(value, '%', what);

/** Pipe form used inside VMX values: '|' and '"' as |XX. */
export const escapeHexPipe = (value: string) => escapeHex(value, '|', '"');
export const unescapeHexPipe = (value: string, what = 'value') => unescapeHex(value, '|', what);

/** A domain name as vSphere stores it (VirtualMachine.name). */
export const escapeDomainName = escapeHexPercent;
export const unescapeDomainName = (value: string) => unescapeHexPercent(value, 'Domain name');

/** A domain name as a VMX displayName value. */
export const escapeVmxDisplayName = (name: string) => escapeHexPercent(escapeHexPipe(name));
export const unescapeVmxDisplayName = (value: string) =>
  unescapeHexPipe(unescapeHexPercent(value, "VMX entry 'displayName'"), "VMX entry 'displayName'");

// libvirt escapes only '|' and '"' in annotations; control characters are escaped as well here,
// because a raw newline would end the VMX line (the vSphere client writes '|0A').
const isAnnotationSpecial = (ch: string) => ch === '"' || ch.charCodeAt(0) < 0x20 || ch === '\x7f';

/** A description as a VMX annotation value. */
export const escapeVmxAnnotation = (text: string) => escapeHex(text, '|', isAnnotationSpecial);
export const unescapeVmxAnnotation = (value: string) => unescapeHexPipe(value, "VMX entry 'annotation'");
