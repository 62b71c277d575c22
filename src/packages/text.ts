/**
 * Text helpers shared by the database readers. Everything here walks its input once with
 * `indexOf`: no regular expression sees a string from an image, so no input can make a match
 * backtrack.
 */

const decoder = new TextDecoder('utf-8');

/** UTF-8 text of a database file (invalid sequences become U+FFFD, never an error). */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Calls `fn` for every line of `text` (without its `\n` or `\r\n`); stops when `fn` returns false. */
export function forEachLine(text: string, fn: (line: string) => boolean | void): void {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (end === text.length && line === '') return;
    if (fn(line) === false) return;
    start = end + 1;
  }
}

/** One stanza of a deb822-style file: field names lower-cased, continuation lines joined with `\n`. */
export type Stanza = Map<string, string>;

/**
 * Splits deb822-style text (dpkg's status, Python's core metadata headers) into stanzas
 * separated by blank lines. `stopAtFirst` reads only the first stanza (metadata headers end at
 * the first blank line; a long description follows). Returns a reason string for a line that is
 * neither a field nor a continuation.
 */
export function parseStanzas(text: string, opts: { stopAtFirst?: boolean; maxStanzas?: number } = {}): Stanza[] | string {
  const out: Stanza[] = [];
  let cur: Stanza | undefined;
  let lastKey: string | undefined;
  let bad: string | undefined;
  let lineNo = 0;
  forEachLine(text, (line) => {
    lineNo++;
    if (line.trim() === '') {
      if (cur) {
        out.push(cur);
        cur = undefined;
        lastKey = undefined;
        if (opts.stopAtFirst) return false;
        if (opts.maxStanzas !== undefined && out.length > opts.maxStanzas) {
          bad = `more than ${opts.maxStanzas} records`;
          return false;
        }
      }
      return true;
    }
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) {
      if (!cur || lastKey === undefined) {
        bad = `line ${lineNo} continues no field`;
        return false;
      }
      cur.set(lastKey, `${cur.get(lastKey)}\n${line.slice(1)}`);
      return true;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      bad = `line ${lineNo} is not a field`;
      return false;
    }
    cur ??= new Map();
    lastKey = line.slice(0, colon).toLowerCase();
    // A repeated field keeps its first value (dpkg would refuse the file; metadata may repeat
    // fields such as Classifier, which are not read).
    if (!cur.has(lastKey)) cur.set(lastKey, line.slice(colon + 1).trim());
    else lastKey = undefined;
    return true;
  });
  if (bad !== undefined) return bad;
  if (cur) out.push(cur);
  return out;
}

/**
 * A path from a database cleaned to the core's form (relative, no `.`, `..` or doubled
 * slashes), taken relative to `base` (a cleaned directory, '' for the root) unless absolute.
 * Undefined when it climbs above the root or names the root itself.
 */
export function cleanJoin(base: string, p: string): string | undefined {
  const parts: string[] = p.startsWith('/') || base === '' ? [] : base.split('/');
  let start = 0;
  while (start <= p.length) {
    let end = p.indexOf('/', start);
    if (end < 0) end = p.length;
    const seg = p.slice(start, end);
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else if (seg !== '' && seg !== '.') parts.push(seg);
    start = end + 1;
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/** The directory of a cleaned path ('' for a top-level one). */
export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** The last component of a cleaned path. */
export function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** True when a name or version has no control character and fits `max` characters. */
export function isPlainField(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
