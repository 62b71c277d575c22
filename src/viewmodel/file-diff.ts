import { structuredPatch } from 'diff';
import { formatBytes, sanitize } from '../format/index.js';
import { seg, type Segment } from './segments.js';
import { cleanRuns, looksBinary } from './viewer-text.js';

/** Bytes compared per side at most: a diff past this says so. */
export const DIFF_CAP = 1024 * 1024;

/** One side of a file diff: a regular file's body (its first `DIFF_CAP` bytes), or what stands there instead. */
export type DiffSide =
  | { readonly kind: 'body'; readonly bytes: Uint8Array; readonly size: number }
  /** Not a regular file (or absent): a one-line description, diffed as text. */
  | { readonly kind: 'other'; readonly text: string };

const decoder = new TextDecoder('utf-8');

function textOf(s: DiffSide): string {
  return s.kind === 'body' ? decoder.decode(s.bytes) : s.text ? `${s.text}\n` : '';
}

function truncated(s: DiffSide): boolean {
  return s.kind === 'body' && s.bytes.length < s.size;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

type Hunk = { oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] };

/** Work the line diff may do (lines × edits): past it, the changed region becomes one replacement, so a diff never hangs the inspector. */
const DIFF_BUDGET = 20_000_000;

function splitLines(t: string): string[] {
  if (t === '') return [];
  const ls = t.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/**
 * The hunks of a line diff (3 lines of context). Myers' diff costs lines × edits, so the edit
 * length is bounded by `DIFF_BUDGET`; when the versions differ more than that, the region
 * between their common first and last lines is shown as one replacement (still a correct diff).
 */
function diffHunks(oldText: string, newText: string): Hunk[] & { coarse?: boolean } {
  const o = splitLines(oldText);
  const n = splitLines(newText);
  const maxEditLength = Math.max(100, Math.floor(DIFF_BUDGET / Math.max(1, o.length + n.length)));
  const patch = structuredPatch('a', 'b', oldText, newText, '', '', { context: 3, maxEditLength });
  if (patch) return patch.hunks;
  let pre = 0;
  while (pre < o.length && pre < n.length && o[pre] === n[pre]) pre++;
  let suf = 0;
  while (suf < o.length - pre && suf < n.length - pre && o[o.length - 1 - suf] === n[n.length - 1 - suf]) suf++;
  const from = Math.max(0, pre - 3);
  const oEnd = Math.min(o.length, o.length - suf + 3);
  const nEnd = Math.min(n.length, n.length - suf + 3);
  const lines = [
    ...o.slice(from, pre).map((l) => ` ${l}`),
    ...o.slice(pre, o.length - suf).map((l) => `-${l}`),
    ...n.slice(pre, n.length - suf).map((l) => `+${l}`),
    ...o.slice(o.length - suf, oEnd).map((l) => ` ${l}`),
  ];
  const out: Hunk[] & { coarse?: boolean } = [{ oldStart: from + 1, oldLines: oEnd - from, newStart: from + 1, newLines: nEnd - from, lines }];
  out.coarse = true;
  return out;
}

/**
 * The unified diff of two versions of a file as styled rows: `---`/`+++` headers, `@@` hunk
 * heads, removed and added lines. Binaries give one line (sizes, and whether the content is
 * equal: from the bytes, or from `sameContent` when a side was cut at the cap).
 */
export function buildFileDiffRows(oldName: string, newName: string, oldSide: DiffSide, newSide: DiffSide, sameContent?: boolean): Segment[][] {
  const rows: Segment[][] = [];
  rows.push([seg(`--- ${sanitize(oldName)}`, 'removed')]);
  rows.push([seg(`+++ ${sanitize(newName)}`, 'added')]);
  const isBinary = (s: DiffSide) => s.kind === 'body' && looksBinary(s.bytes, !truncated(s));
  if (isBinary(oldSide) || isBinary(newSide)) {
    const size = (s: DiffSide) => (s.kind === 'body' ? formatBytes(s.size) : 'none');
    const equal =
      oldSide.kind === 'body' && newSide.kind === 'body'
        ? !truncated(oldSide) && !truncated(newSide)
          ? bytesEqual(oldSide.bytes, newSide.bytes)
          : oldSide.size === newSide.size
            ? sameContent
            : false
        : false;
    const what = equal === undefined ? 'content not compared' : equal ? 'content equal' : 'content differs';
    rows.push([seg(`binary, sizes ${size(oldSide)} → ${size(newSide)}: ${what}`, 'header')]);
    return rows;
  }
  if (truncated(oldSide) || truncated(newSide)) rows.push([seg(`(only the first ${formatBytes(DIFF_CAP)} of each side is compared)`, 'dim')]);
  const oldText = textOf(oldSide);
  const newText = textOf(newSide);
  const hunks = diffHunks(oldText, newText);
  if (hunks.length === 0) {
    rows.push([seg('no difference in content', 'dim')]);
    return rows;
  }
  if (hunks.coarse) rows.push([seg('(too many changes for a line-by-line diff in reasonable time: the changed region is shown as one replacement)', 'dim')]);
  for (const h of hunks) {
    rows.push([seg(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, 'marker')]);
    for (const l of h.lines) {
      if (l.startsWith('\\')) {
        rows.push([seg(l, 'dim')]);
        continue;
      }
      const style = l[0] === '+' ? 'added' : l[0] === '-' ? 'removed' : undefined;
      rows.push(cleanRuns([style ? { text: l, style } : { text: l }]));
    }
  }
  return rows;
}
