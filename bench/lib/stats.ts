// Sample statistics for the bench: nearest-rank percentiles over wall-clock samples (ms).

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    mean: s.length ? sum / s.length : Number.NaN,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Runs the contenders alternately (A B, B A, A B, ...) so that drift in the simulator or the GC
 * affects them alike; `warmup` untimed rounds first. Returns the samples per contender.
 */
export async function interleaved<K extends string>(
  contenders: Record<K, () => Promise<unknown>>,
  o: { iterations: number; warmup: number },
): Promise<Record<K, number[]>> {
  const keys = Object.keys(contenders) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < o.warmup; i++) for (const k of keys) await contenders[k]();
  for (let i = 0; i < o.iterations; i++) {
    const order = i % 2 === 0 ? keys : [...keys].reverse();
    for (const k of order) out[k].push(await timed(contenders[k]));
  }
  return out;
}

/** Current wall-clock time in ms with sub-ms resolution (comparable with the simulator's clock). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * An xsd:dateTime (Go writes up to nanoseconds, e.g. 2024-05-01T10:00:00.123456789Z) as epoch ms
 * with sub-ms precision; Date.parse alone would truncate to whole ms.
 */
export function parseDateTimeMs(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(s);
  if (!m) return Date.parse(s);
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return base + frac;
}
