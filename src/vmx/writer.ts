// Collects VMX entries in the order they are written.
import { formatVmx } from './text.js';

export class VmxWriter {
  readonly entries: [string, string][] = [];

  set(key: string, value: string | number): void {
    this.entries.push([key, String(value)]);
  }

  toString(): string {
    return formatVmx(this.entries);
  }
}
