import { sanitize } from '../format/index.js';

/**
 * What a search in the file viewer or the file diff looks for, and where matches are in what
 * is in memory. Text is matched by its UTF-8 bytes, ASCII letters without case; in the hex view
 * pairs of hex digits are bytes and `@0x200` (or `@512`) an offset. Matches never overlap: the
 * next one starts at or after the end of the last (`/root` in `root:x:0:0:root:/root:/bin/sh` is
 * three matches, `/00 00` in eight zero bytes four), as the reader counts them in a whole file.
 */

/** Bytes to find (text: `ignoreCase`), or an offset to go to (the hex view only). */
export type DocPattern =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly ignoreCase: boolean }
  | { readonly kind: 'offset'; readonly offset: number };

/** Match starts kept per document (the total is exact however many there are). */
export const MAX_MATCHES = 10_000;

/** The hex view's search syntax, for its hints and the help. */
export const HEX_SEARCH_HINT = 'text, hex bytes (7f 45 4c), @0x200 goes to an offset, "…" is text';

const encoder = new TextEncoder();

/**
 * Reads what was typed at `/`. In a text document it is text. In the hex view: `@` and a
 * number (`@0x1f0`, `@496`) is an offset; hex digits in pairs, spaces anywhere (`7f 45`,
 * `0000`) are those bytes; text in double quotes is text even when it looks like hex (`"cafe"`);
 * anything else is text.
 */
export function parseDocSearch(query: string, hex: boolean): DocPattern | { readonly error: string } {
  const text = (t: string): DocPattern => ({ kind: 'bytes', bytes: encoder.encode(t), ignoreCase: true });
  if (!hex) return text(query);
  const q = query.trim();
  const at = /^@\s*(?:0x([0-9a-f]+)|(\d+))$/i.exec(q);
  if (at) {
    const offset = at[1] !== undefined ? Number.parseInt(at[1], 16) : Number(at[2]);
    return Number.isSafeInteger(offset) ? { kind: 'offset', offset } : { error: `${sanitize(q)} is not an offset` };
  }
  if (q.startsWith('@')) return { error: `${sanitize(q)} is not an offset: @0x1f0 or @496` };
  const quoted = /^"(.*)"$/.exec(q);
  if (quoted) return text(quoted[1]!);
  const digits = q.replace(/\s+/g, '');
  if (/^[0-9a-f]+$/i.test(digits) && digits.length % 2 === 0) {
    const bytes = new Uint8Array(digits.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return { kind: 'bytes', bytes, ignoreCase: false };
  }
  return text(query);
}

const fold = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);

/**
 * Starts of the matches of `bytes` in `hay`, none overlapping, from `from` (an index into
 * `hay`) to `to`; `base` is added to each (the window's offset in the file).
 */
export function matchBytes(hay: Uint8Array, p: Extract<DocPattern, { kind: 'bytes' }>, base = 0, from = 0, to = hay.length): number[] {
  const n = p.bytes.length;
  const out: number[] = [];
  if (n === 0) return out;
  const want = p.ignoreCase ? Uint8Array.from(p.bytes, fold) : p.bytes;
  const first = want[0]!;
  for (let i = Math.max(0, from); i + n <= to; i++) {
    if ((p.ignoreCase ? fold(hay[i]!) : hay[i]!) !== first) continue;
    let k = 1;
    while (k < n && (p.ignoreCase ? fold(hay[i + k]!) : hay[i + k]!) === want[k]) k++;
    if (k === n) {
      out.push(base + i);
      i += n - 1;
    }
  }
  return out;
}

/** Starts (character offsets) of `needle` in `text`, ASCII letters without case, none overlapping. */
export function matchText(text: string, needle: string): number[] {
  const out: number[] = [];
  if (needle === '') return out;
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const hay = lower(text);
  const want = lower(needle);
  for (let i = hay.indexOf(want); i >= 0; i = hay.indexOf(want, i + want.length)) out.push(i);
  return out;
}

/** The index of the last element of a sorted list at or before `x` (-1: none). */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let out = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      out = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return out;
}
