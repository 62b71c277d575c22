/**
 * Human sizes the way dive prints them (go-humanize `Bytes`: SI units, base 1000, one
 * decimal below 10): `0 B`, `340 B`, `1.2 kB`, `56 MB`.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const neg = n < 0;
  const v = Math.abs(n);
  if (v < 10) return `${neg ? '-' : ''}${Math.round(v)} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.min(Math.floor(Math.log(v) / Math.log(1000)), units.length - 1);
  // go-humanize rounds to one decimal first, then prints %.1f below 10 and %.0f above;
  // Go's %.0f rounds half to even (12.5 → "12").
  const val = Math.floor((v / 1000 ** e) * 10 + 0.5) / 10;
  const text = val < 10 ? val.toFixed(1) : String(roundHalfEven(val));
  return `${neg ? '-' : ''}${text} ${units[e]}`;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** A ratio as a percentage with at most one decimal: 0.4834 → `48.3 %`. */
export function formatPercent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)} %`;
}

/** `sha256:0123456789ab…` shortened to the algorithm and `n` hex digits. */
export function shortDigest(d: string | undefined, n = 12): string {
  if (!d) return '';
  const i = d.indexOf(':');
  return i < 0 ? d.slice(0, n) : `${d.slice(0, i + 1)}${d.slice(i + 1, i + 1 + n)}`;
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, ki: 1024, kib: 1024,
  m: 1e6, mb: 1e6, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gi: 1024 ** 3, gib: 1024 ** 3,
  t: 1e12, tb: 1e12, ti: 1024 ** 4, tib: 1024 ** 4,
  p: 1e15, pb: 1e15, pi: 1024 ** 5, pib: 1024 ** 5,
};

/**
 * go-humanize's `ParseBytes`, as dive reads `highestWastedBytes`: `20MB` = 20,000,000,
 * `20MiB` = 20,971,520, `1.5 GB`, `42`. Undefined when the text is not a size.
 */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.floor(Number(m[1]!.replace(/,/g, '')) * unit);
}
