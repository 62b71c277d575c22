/**
 * Display-width helpers. Terminal cells are approximated by code points, with wide East Asian
 * and emoji ranges counted as two, and control characters (tab included) shown as `?` so a
 * file name can never move the cursor.
 */

/** Replaces control characters with `?` (a tab or newline in a file name must not break a row). */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Terminal cells a string takes. */
export function cellWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x300 && cp <= 0x36f) continue; // combining marks
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

/** Cuts a string to at most `width` cells, ending with `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(s) <= width) return s;
  // Measured as `cellWidth` measures: a combining mark takes no cell and stays with its letter.
  return `${clip(s, width - 1)}…`;
}

/** Cuts a string to at most `width` cells, with no mark (the caller adds its own). */
export function clip(s: string, width: number): string {
  if (cellWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = cellWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out;
}

/** Pads (or truncates) to exactly `width` cells. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width);
  const pad = ' '.repeat(Math.max(0, width - cellWidth(t)));
  return align === 'left' ? t + pad : pad + t;
}

/**
 * Word-wraps to lines of at most `width` cells. A word longer than a line (a digest, a URL)
 * is split, starting on the line it follows when there is room there.
 */
export function wrap(s: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let w = word;
      if (line && cellWidth(line) + 1 + cellWidth(w) <= width) {
        line += ` ${w}`;
        continue;
      }
      if (cellWidth(w) > width && line && width - cellWidth(line) - 1 >= Math.min(8, width)) {
        const head = clip(w, width - cellWidth(line) - 1);
        out.push(`${line} ${head}`);
        line = '';
        w = w.slice(head.length);
      }
      if (line) {
        out.push(line);
        line = '';
      }
      while (cellWidth(w) > width) {
        const head = clip(w, width) || [...w][0]!;
        out.push(head);
        w = w.slice(head.length);
      }
      line = w;
    }
    out.push(line);
  }
  return out;
}

/**
 * Cuts a string to at most `width` cells by taking out its middle, so both ends stay: a path
 * keeps its root and its file name (`/usr/lib/…/libexample.so.1`). The tail, where a file
 * name is, gets two thirds, or more to keep the last path component whole. Wide characters count as two cells and are never split.
 */
export function truncateMiddle(s: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(s) <= width) return s;
  if (width === 1) return '…';
  const chars = [...s];
  const room = width - 1;
  // A path's last component is kept whole when it fits with a cell of the head to spare;
  // when it cannot be whole, the cut is in the middle like any other (never a head of one cell).
  const slash = s.lastIndexOf('/');
  const name = slash >= 0 ? cellWidth(s.slice(slash)) : 0;
  const headRoom = name > 0 && room - name >= 0 ? Math.min(Math.floor(room / 3), Math.max(1, room - name)) : Math.floor(room / 3);
  const head = clip(s, headRoom);
  const w = cellWidth(head);
  let tail = '';
  let tw = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const cw = cellWidth(chars[i]!);
    if (w + tw + cw > room) break;
    tail = chars[i]! + tail;
    tw += cw;
  }
  return `${head}…${tail}`;
}

/** `1 entry`, `2 entries`: a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * An image's RFC 3339 time as `YYYY-MM-DD HH:MM:SS` in UTC, the same 19 cells for every step
 * whatever offset and fraction the image wrote; a value that is not a time is shown as it is
 * (sanitized), an absent one as nothing.
 */
export function formatTimestamp(s: string | undefined): string {
  if (!s) return '';
  const t = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  // Without an offset the time is taken as UTC, never as this machine's zone.
  const zone = t?.[4] ? (/^[+-]\d{4}$/.test(t[4]) ? `${t[4].slice(0, 3)}:${t[4].slice(3)}` : t[4].toUpperCase()) : 'Z';
  const m = t ? Date.parse(`${t[1]}T${t[2]}${(t[3] ?? '').slice(0, 4)}${zone}`) : NaN;
  if (Number.isNaN(m)) return sanitize(s);
  return new Date(m).toISOString().slice(0, 19).replace('T', ' ');
}
