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

/** One stanza of a deb822-style file: the fields asked for, by lower-case name. */
export type Stanza = Map<string, string>;

/** True when `text[start, end)` holds only spaces and tabs. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** True when `text[start, end)` equals the lower-case ASCII `name`, ignoring case. */
function sameName(text: string, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Splits deb822-style text (dpkg's status, Python's core metadata headers) into stanzas
 * separated by blank lines, keeping only `fields` (lower-case names; field names match in any
 * case). `stopAtFirst` reads only the first stanza (metadata headers end at the first blank
 * line; a long description follows). Returns a reason string for a line that is neither a field
 * nor a continuation, or for a continuation of a field asked for (they are one-line fields).
 * Walks the text by index: no string is made for a line or a field not asked for.
 */
export function parseStanzas(text: string, fields: readonly string[], opts: { stopAtFirst?: boolean; maxStanzas?: number } = {}): Stanza[] | string {
  const out: Stanza[] = [];
  let cur: Stanza | undefined;
  let open = false;
  let lastWanted = false;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    lineNo++;
    const c = text.charCodeAt(pos);
    const indented = c === 0x20 || c === 0x09;
    if (lineEnd === pos || (indented && isBlank(text, pos, lineEnd))) {
      if (open) {
        out.push(cur ?? new Map());
        cur = undefined;
        open = false;
        if (opts.stopAtFirst) return out;
        if (opts.maxStanzas !== undefined && out.length > opts.maxStanzas) return `more than ${opts.maxStanzas} records`;
      }
    } else if (indented) {
      if (!open) return `line ${lineNo} continues no field`;
      if (lastWanted) return `line ${lineNo} continues a one-line field`;
    } else {
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon >= lineEnd) return `line ${lineNo} is not a field`;
      open = true;
      lastWanted = false;
      for (const f of fields) {
        if (!sameName(text, pos, colon, f)) continue;
        lastWanted = true;
        cur ??= new Map();
        // A repeated field keeps its first value.
        if (!cur.has(f)) cur.set(f, text.slice(colon + 1, lineEnd).trim());
        break;
      }
    }
    pos = end + 1;
  }
  if (open) out.push(cur ?? new Map());
  return out;
}

/**
 * The cleaned paths of a file that lists one path per line (dpkg's `.list`, egg-info's
 * `installed-files.txt`), each taken relative to `base` unless absolute (see `cleanJoin`).
 * Walks the text by index; an already clean absolute line costs one slice.
 */
export function parseLines(text: string, base: string): string[] {
  const out: string[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    if (lineEnd > pos) {
      let clean = text.charCodeAt(pos) === 0x2f && lineEnd - pos > 1 && text.charCodeAt(lineEnd - 1) !== 0x2f;
      for (let i = pos; clean && i < lineEnd - 1; i++) {
        if (text.charCodeAt(i) === 0x2f) {
          const d = text.charCodeAt(i + 1);
          if (d === 0x2f || d === 0x2e) clean = false;
        }
      }
      const p = clean ? text.slice(pos + 1, lineEnd) : cleanJoin(base, text.slice(pos, lineEnd));
      if (p !== undefined) out.push(p);
    }
    pos = end + 1;
  }
  return out;
}

/**
 * A path from a database cleaned to the core's form (relative, no `.`, `..` or doubled
 * slashes), taken relative to `base` (a cleaned directory, '' for the root) unless absolute.
 * Undefined when it climbs above the root or names the root itself.
 */
export function cleanJoin(base: string, p: string): string | undefined {
  // Nearly every listed path is absolute and already clean: one scan instead of a split.
  if (p.length > 1 && p.charCodeAt(0) === 0x2f && p.charCodeAt(p.length - 1) !== 0x2f && p.indexOf('//') < 0 && p.indexOf('/.') < 0) return p.slice(1);
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
