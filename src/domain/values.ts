// Value formats shared by the VMX and XML sides: UUIDs, MAC addresses, CPU sets, memory units.
import { ConversionError } from './errors.js';

/**
 * 16 bytes from a UUID in any of the forms libvirt's virUUIDParse accepts: hex pairs, optionally
 * separated by '-' or ' ' (VMX writes '56 4d 9b ef ac d9 b4 e0-c8 f0 ae a8 b9 10 35 15').
 */
export function parseUuid(value: string): Uint8Array | undefined {
  const s = value.trim();
  const bytes = new Uint8Array(16);
  let i = 0;
  for (let n = 0; n < 16; n++) {
    while (n > 0 && (s[i] === '-' || s[i] === ' ')) i++;
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return undefined;
    bytes[n] = parseInt(pair, 16);
    i += 2;
  }
  return i === s.length ? bytes : undefined;
}

const hex = (bytes: Uint8Array, from: number, to: number) =>
  [...bytes.subarray(from, to)].map((b) => b.toString(16).padStart(2, '0'));

/** Canonical lower-case 8-4-4-4-12 form. */
export function formatUuid(bytes: Uint8Array): string {
  const h = hex(bytes, 0, 16).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** VMX form: '56 4d 9b ef ac d9 b4 e0-c8 f0 ae a8 b9 10 35 15'. */
export const formatVmxUuid = (bytes: Uint8Array) => `${hex(bytes, 0, 8).join(' ')}-${hex(bytes, 8, 16).join(' ')}`;

/** Canonical form of a UUID string, or a ConversionError naming `what`. */
export function canonicalUuid(value: string, what: string): string {
  const bytes = parseUuid(value);
  if (!bytes) throw new ConversionError('config-invalid', `Could not parse UUID from string '${value}' (${what})`);
  return formatUuid(bytes);
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Lower-case 'xx:xx:xx:xx:xx:xx' from any case, or undefined (libvirt's virMacAddrParse also accepts one-digit parts). */
export function parseMac(value: string): string | undefined {
  const parts = value.trim().split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}

export const macBytes = (mac: string): number[] => mac.split(':').map((p) => parseInt(p, 16));

/** '0-2,5-7' or '0,1,2,5,6,7' (also '^3' exclusions) -> sorted CPU numbers. */
export function parseCpuset(value: string): number[] {
  const set = new Set<number>();
  for (const raw of value.split(',')) {
    const part = raw.trim();
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ConversionError('config-invalid', `Invalid CPU set '${value}'`);
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) throw new ConversionError('config-invalid', `Invalid CPU set '${value}'`);
    for (let c = from; c <= to; c++) {
      if (m[1]) set.delete(c);
      else set.add(c);
    }
  }
  return [...set].sort((a, b) => a - b);
}

/** Sorted CPU numbers -> '0-2,5-7' (libvirt's virBitmapFormat). */
export function formatCpuset(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const UNITS: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1000,
  k: 1024,
  kib: 1024,
  mb: 1000 ** 2,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1000 ** 4,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  pb: 1000 ** 5,
  p: 1024 ** 5,
  pib: 1024 ** 5,
};

/** A libvirt memory value with unit (default KiB) in KiB, rounded up (virDomainParseMemory). */
export function scaleToKiB(value: number, unit: string | undefined): number | undefined {
  const factor = UNITS[(unit ?? 'KiB').toLowerCase()];
  if (factor === undefined) return undefined;
  return Math.ceil((value * factor) / 1024);
}
