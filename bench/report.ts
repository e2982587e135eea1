/** Percentiles and the plain-text tables the bench prints. */

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0–100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p95/p99/max of some timings in ms. */
export function latencyOf(ms: readonly number[]): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Timings grouped by kind, in first-seen order, plus an `overall` row. */
export function latencyByKind(samples: readonly { kind: string; ms: number }[]): Map<string, Latency> {
  const groups = new Map<string, number[]>();
  for (const s of samples) groups.set(s.kind, [...(groups.get(s.kind) ?? []), s.ms]);
  const result = new Map<string, Latency>();
  for (const [kind, ms] of groups) result.set(kind, latencyOf(ms));
  result.set('overall', latencyOf(samples.map((s) => s.ms)));
  return result;
}

/** Left-aligns the first column and right-aligns the others, under a header and a rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

export function ms(value: number): string {
  return value.toFixed(2);
}

export function passFail(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}
