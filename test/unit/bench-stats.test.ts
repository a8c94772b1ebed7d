import { describe, expect, it } from 'vitest';
import { parseDateTimeMs, percentile, summarize } from '../../bench/lib/stats.js';
import { formatTable, ratioOf } from '../../bench/lib/table.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, p50: 2, min: 1, max: 3, mean: 2 });
  });

  it('reads xsd:dateTime with sub-millisecond precision', () => {
    expect(parseDateTimeMs('2024-05-01T10:00:00.123456789Z')).toBeCloseTo(Date.UTC(2024, 4, 1, 10, 0, 0) + 123.456789, 5);
    expect(parseDateTimeMs('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
    expect(parseDateTimeMs('2024-05-01T12:00:00.5+02:00')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0) + 500);
  });

  it('prints ratios and goals', () => {
    expect(ratioOf(1, 4)).toBe(0.25);
    expect(ratioOf(null, 4)).toBeNull();
    const t = formatTable([{ scenario: 'list', metric: 'p50 ms', gateway: 5, raw: 50, ratio: 0.1, goal: 'ratio <= 0.2', met: true }]);
    expect(t).toContain('| list ');
    expect(t).toContain('0.100');
    expect(t).toContain('yes');
  });
});
