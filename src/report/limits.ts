import { escapeControl } from '../format/index.js';

/**
 * How much of an image's strings a report carries. A report (text, Markdown, JUnit, SARIF, Code
 * Quality, workflow commands, the comparison summary) names what it must and counts the rest,
 * so its size follows the number of rules, findings and layers, never the length of what the
 * image wrote: three 1 MB `created_by` commands and 25 offending paths of 100 kB made a 97 MiB
 * SARIF file and 94 MiB on stdout before (89 kB and 30 kB now). The JSON export is the data,
 * not a report: it keeps every string whole.
 *
 * Lengths are in characters (Unicode code points). A string is cut where a character begins:
 * never inside a surrogate pair, never between a letter and the combining marks, variation
 * selectors or zero-width joiner that follow it (a run of more than `CLUSTER_SCAN` of those is
 * cut after its letter and the first of them). The mark `…` stands for what was left out.
 * Strings are cut first and escaped after (`escapeControl`), so an escape is never cut in two
 * and a short string reads exactly as before.
 */

/** Characters of a layer's command (its history `created_by`) a report shows at most; longer ones end in `…`. */
export const COMMAND_CHARS = 120;

/** Characters of a path from the image a report shows at most; a longer one keeps its start and its end (the file name) around `…`. */
export const PATH_CHARS = 200;

/** Characters of any other string from the image a report shows at most (a platform, a reason that quotes a name); longer ones end in `…`. */
export const TEXT_CHARS = 400;

/** Offending paths a report names per rule; the rest are counted (`… and N more`). */
export const OFFENDERS_SHOWN = 20;

/** Findings (largest first) a report puts on their Dockerfile lines (GitHub annotations, SARIF, Code Quality); the rest are in the JSON export. */
export const FINDINGS_LOCATED = 10;

/** Inefficient files (largest first) a report lists; the rest are counted. */
export const FILES_SHOWN = 20;

/** Path anomalies (whiteouts of missing paths, entries under non-directories) the text report lists; the rest are counted. */
export const PROBLEMS_SHOWN = 20;

/** How far a cut looks for the start of a character cluster before it cuts inside one. */
const CLUSTER_SCAN = 32;

// A code point that belongs to the character before it: a combining mark, a variation selector
// (both \p{M}) or a zero-width joiner.
const CONTINUES = /^[\p{M}\u200d]/u;

/** True when the character at `i` (a code unit index at a code point start) continues the one before it. */
function continues(s: string, i: number): boolean {
  if (i <= 0 || i >= s.length) return false;
  if (CONTINUES.test(s.slice(i, i + 2))) return true;
  return s.charCodeAt(i - 1) === 0x200d; // after a joiner: the joined character
}

/** The code unit index after the first `n` code points of `s` (its length when it has fewer). */
function afterCodePoints(s: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** The code unit index where the last `n` code points of `s` begin (0 when it has fewer). */
function beforeLastCodePoints(s: string, n: number): number {
  let i = s.length;
  for (let k = 0; k < n && i > 0; k++) {
    const c = s.charCodeAt(i - 1);
    i -= (c & 0xfc00) === 0xdc00 && i >= 2 && s.charCodeAt(i - 2) >= 0xd800 && s.charCodeAt(i - 2) <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** A code point start at or before `i` where no cluster is split, looking back at most `CLUSTER_SCAN` code points. */
function clusterStartBefore(s: string, i: number): number {
  let j = i;
  for (let k = 0; k < CLUSTER_SCAN && continues(s, j); k++) j = beforeLastCodePoints(s.slice(0, j), 1);
  if (!continues(s, j)) return j;
  // One huge cluster: keep its letter and what fits of its first continuation (never a mark
  // without its letter).
  let start = j;
  while (continues(s, start)) start = beforeLastCodePoints(s.slice(0, start), 1);
  return Math.min(i, start + afterCodePoints(s.slice(start), 2));
}

/** A code point start at or after `i` where no cluster is split. */
function clusterStartAfter(s: string, i: number): number {
  let j = i;
  while (j < s.length && continues(s, j)) j += afterCodePoints(s.slice(j, j + 2), 1);
  return j;
}

/** `s` with at most `max` characters: cut at its end with `…` when longer. Not escaped. */
export function cutEnd(s: string, max: number): string {
  if (s.length <= max || afterCodePoints(s, max) >= s.length) return s;
  return `${s.slice(0, clusterStartBefore(s, afterCodePoints(s, max - 1)))}…`;
}

/** `s` with at most `max` characters: its middle cut out, a third kept before `…` and the rest after. Not escaped. */
export function cutMiddle(s: string, max: number): string {
  if (s.length <= max || afterCodePoints(s, max) >= s.length) return s;
  const room = max - 1;
  const headChars = Math.floor(room / 3);
  const head = clusterStartBefore(s, afterCodePoints(s, headChars));
  const tail = clusterStartAfter(s, beforeLastCodePoints(s, room - headChars));
  return `${s.slice(0, head)}…${s.slice(tail)}`;
}

/** A layer's command for a report: cut to `COMMAND_CHARS`, then escaped. */
export function reportCommand(command: string): string {
  return escapeControl(cutEnd(command, COMMAND_CHARS));
}

/** A path from the image for a report: cut to `PATH_CHARS` (start and end kept), then escaped. */
export function reportPath(path: string): string {
  return escapeControl(cutMiddle(path, PATH_CHARS));
}

/** Any other string from the image for a report: cut to `TEXT_CHARS`, then escaped. */
export function reportText(text: string): string {
  return escapeControl(cutEnd(text, TEXT_CHARS));
}

/** The first `shown` items described, and `… and N more` for the rest. */
export function listed<T>(items: readonly T[], shown: number, describe: (item: T) => string): string[] {
  const lines = items.slice(0, shown).map(describe);
  if (items.length > shown) lines.push(`… and ${items.length - shown} more`);
  return lines;
}
