// Text decoding for VMX files, whose '.encoding' entry names the charset of the whole file
// (older Workstation and ESX wrote windows-1252). Windows-1252 and ISO-8859-1 use tables here,
// because WHATWG's TextDecoder maps the label 'iso-8859-1' to windows-1252 and Node builds
// without full ICU lack most legacy charsets; everything else goes to TextDecoder when Node has it.
import { ConversionError } from '../domain/errors.js';

// Windows-1252 0x80-0x9F. The five bytes Microsoft leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
// map to the C1 control of the same value, as WHATWG and Windows' own MultiByteToWideChar do.
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80]! : b);
  return out;
}

export function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

const normalize = (label: string) => label.trim().toLowerCase().replace(/_/g, '-');

const WINDOWS_1252 = new Set(['windows-1252', 'cp1252', 'x-cp1252', 'ms-ansi']);
const LATIN_1 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'iso-ir-100', 'cp819', 'ibm819']);
const UTF_8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/** Whether `label` names an encoding decodeText can handle. */
export function isSupportedEncoding(label: string): boolean {
  const name = normalize(label);
  if (WINDOWS_1252.has(name) || LATIN_1.has(name) || UTF_8.has(name)) return true;
  try {
    new TextDecoder(name);
    return true;
  } catch {
    return false;
  }
}

/** Decodes bytes in the named encoding to a string; throws ConversionError for unknown names. */
export function decodeText(bytes: Uint8Array, label: string): string {
  const name = normalize(label);
  if (UTF_8.has(name)) return new TextDecoder('utf-8').decode(bytes);
  if (WINDOWS_1252.has(name)) return decodeWindows1252(bytes);
  if (LATIN_1.has(name)) return decodeLatin1(bytes);
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(name);
  } catch {
    throw new ConversionError('vmx-syntax', `Encoding '${label}' is not supported`, { path: '.encoding' });
  }
  return decoder.decode(bytes);
}

/** Windows-1252 bytes to a (UTF-8 capable) string, as libvirt's virVMXConvertToUTF8. */
export const windows1252ToUtf8 = decodeWindows1252;
