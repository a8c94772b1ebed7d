import { describe, expect, it } from 'vitest';
import { supportsLongMode } from '../../src/drivers/node-caps.js';

describe('supportsLongMode (CPUID 0x80000001 EDX bit 29)', () => {
  it('reads bit 29 from the MSB-first register string', () => {
    expect(supportsLongMode([{ level: -2147483647, edx: '0010:1000:0001:0000:0000:1000:0000:0000' }])).toBe(true);
    expect(supportsLongMode([{ level: -2147483647, edx: '1101:1111:1111:1111:1111:1111:1111:1111' }])).toBe(false);
  });
  it('is unknown without the extended leaf', () => {
    expect(supportsLongMode([{ level: 1, edx: '0010:0000:0000:0000:0000:0000:0000:0000' }])).toBeNull();
    expect(supportsLongMode(undefined)).toBeNull();
  });
});
