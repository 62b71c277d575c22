import { formatBytes } from './bytes.js';

/** A size change: `+4.9 kB`, `-524 kB`, `±0`. */
export function formatSignedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : '±0';
}

const signedCount = (n: number) => (n > 0 ? `+${n}` : `${n}`);

/** The totals of a comparison, in the order every view shows them, each with how to write its value and its change. */
export const TOTAL_ROWS = [
  { key: 'sizeBytes', label: 'size', value: formatBytes, delta: formatSignedBytes },
  { key: 'compressedSizeBytes', label: 'stored', value: formatBytes, delta: formatSignedBytes },
  { key: 'fileCount', label: 'files', value: String, delta: signedCount },
  { key: 'layerCount', label: 'layers', value: String, delta: signedCount },
  { key: 'wastedBytes', label: 'wasted', value: formatBytes, delta: formatSignedBytes },
  { key: 'reclaimableBytes', label: 'reclaimable', value: formatBytes, delta: formatSignedBytes },
  // Higher is better here: a falling efficiency is the bad direction.
  { key: 'efficiency', label: 'efficiency', value: (x: number) => `${(x * 100).toFixed(2)} %`, delta: (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pt`, higherIsBetter: true },
] as const satisfies readonly { key: string; label: string; value: (n: number) => string; delta: (n: number) => string; higherIsBetter?: boolean }[];
