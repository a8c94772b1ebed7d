// A parsed VMX file: entries in file order, looked up case-insensitively (ESX, Workstation and
// hand-edited files disagree on key case, and VMware itself ignores it). Value readers follow
// libvirt's virVMXGetConfig* helpers, including their error messages, so a bad file fails the way
// `virsh domxml-from-native vmware-vmx` fails.
import { ConversionError } from '../domain/errors.js';

export interface VmxEntry {
  key: string;
  value: string;
  /** 1-based line in the source text (0 for entries built in memory). */
  line: number;
}

export class VmxConfig {
  readonly entries: readonly VmxEntry[];
  private readonly byKey = new Map<string, VmxEntry>();

  constructor(entries: readonly VmxEntry[]) {
    this.entries = entries;
    // The first occurrence wins, as with libvirt's virConfGetValue.
    for (const entry of entries) {
      const k = entry.key.toLowerCase();
      if (!this.byKey.has(k)) this.byKey.set(k, entry);
    }
  }

  static fromRecord(record: Record<string, string>): VmxConfig {
    return new VmxConfig(Object.entries(record).map(([key, value]) => ({ key, value, line: 0 })));
  }

  has(key: string): boolean {
    return this.byKey.has(key.toLowerCase());
  }

  get(key: string): string | undefined {
    return this.byKey.get(key.toLowerCase())?.value;
  }

  /** A string entry; `required` turns absence into libvirt's "Missing essential config entry". */
  string(key: string, required: true): string;
  string(key: string, required?: false): string | undefined;
  string(key: string, required = false): string | undefined {
    const value = this.get(key);
    if (value === undefined && required) {
      throw new ConversionError('vmx-invalid', `Missing essential config entry '${key}'`, { path: key });
    }
    return value;
  }

  /** 'true'/'false' in any case, else an error; absent gives `fallback`. */
  boolean(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const v = value.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new ConversionError('vmx-invalid', `Config entry '${key}' must represent a boolean value (true|false)`, { path: key });
  }

  /** A decimal integer; 'unlimited' gives -1 (VMware's sched.* convention); absent gives `fallback`. */
  long(key: string, fallback: number, required = false): number {
    const value = required ? this.string(key, true) : this.get(key);
    if (value === undefined) return fallback;
    if (value.toLowerCase() === 'unlimited') return -1;
    if (!/^\s*[+-]?\d+\s*$/.test(value)) {
      throw new ConversionError('vmx-invalid', `Config entry '${key}' must represent an integer value`, { path: key });
    }
    const n = Number(value.trim());
    if (!Number.isSafeInteger(n)) {
      throw new ConversionError('vmx-invalid', `Config entry '${key}' must represent an integer value`, { path: key });
    }
    return n;
  }

  /** The numbers N of keys 'prefixN.something' (e.g. ethernet indices), ascending. */
  indices(prefix: string): number[] {
    const re = new RegExp(`^${prefix}(\\d+)\\.`, 'i');
    const found = new Set<number>();
    for (const { key } of this.entries) {
      const m = re.exec(key);
      if (m) found.add(Number(m[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}
