// The bench's result rows and their plain-text table.

export interface Row {
  /** e.g. "list 1000 VMs, mirror=0" */
  scenario: string;
  /** e.g. "p50 ms", "req/s", "RSS MB" */
  metric: string;
  gateway: number | null;
  raw: number | null;
  /** gateway / raw (for throughput: gateway / raw too, higher is better). */
  ratio: number | null;
  /** Human-readable goal, e.g. "ratio <= 0.2", "errors = 0"; empty when informational. */
  goal: string;
  /** true/false when a goal applies; null when informational or not measurable. */
  met: boolean | null;
  note?: string;
}

export function ratioOf(gateway: number | null, raw: number | null): number | null {
  return gateway === null || raw === null || raw === 0 ? null : gateway / raw;
}

/** A row for a scenario that cannot run yet (its route is missing, ...). */
export function naRow(scenario: string, reason: string, goal = ''): Row {
  return { scenario, metric: 'n/a', gateway: null, raw: null, ratio: null, goal, met: null, note: `n/a: ${reason}` };
}

function fmt(v: number | null, digits = 2): string {
  if (v === null || Number.isNaN(v)) return '-';
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 100) return v.toFixed(1);
  return v.toFixed(digits);
}

const metText = (m: boolean | null): string => (m === null ? '' : m ? 'yes' : 'NO');

/** Rows as an aligned plain-text table (also valid Markdown). */
export function formatTable(rows: Row[]): string {
  const head = ['scenario', 'metric', 'gateway', 'raw', 'ratio', 'goal', 'met?', 'note'];
  const body = rows.map((r) => [r.scenario, r.metric, fmt(r.gateway), fmt(r.raw), fmt(r.ratio, 3), r.goal, metText(r.met), r.note ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
