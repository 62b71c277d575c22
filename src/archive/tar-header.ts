import type { EntryType } from '../core/model.js';

/** One parsed 512-byte tar header (ustar, GNU or PAX-extended), names not yet cleaned. */
export type RawHeader = {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devMajor: number;
  devMinor: number;
};

const decoder = new TextDecoder('utf-8');

function cstring(buf: Uint8Array, start: number, len: number): string {
  let end = start;
  const max = start + len;
  let ascii = true;
  while (end < max && buf[end] !== 0) {
    if (buf[end]! > 0x7f) ascii = false;
    end++;
  }
  if (end === start) return '';
  // Most names are ASCII: building the string directly is several times faster than decoding.
  if (ascii && end - start < 128) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  return decoder.decode(buf.subarray(start, end));
}

/**
 * Parses a numeric header field: octal text, or GNU base-256 when the high bit of the first
 * byte is set (sizes over 8 GiB, negative or large ids).
 */
function numeric(buf: Uint8Array, start: number, len: number): number {
  const first = buf[start]!;
  if (first & 0x80) {
    let v = first & 0x3f;
    const negative = (first & 0x40) !== 0;
    for (let i = 1; i < len; i++) v = v * 256 + buf[start + i]!;
    return negative ? -v : v;
  }
  let v = 0;
  let seen = false;
  for (let i = start; i < start + len; i++) {
    const c = buf[i]!;
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      seen = true;
    } else if (c === 0 || (c === 0x20 && seen)) {
      break;
    }
  }
  return v;
}

/** True when every byte of the 512-byte block is zero (end-of-archive marker). */
export function isZeroBlock(buf: Uint8Array, off = 0): boolean {
  for (let i = off; i < off + 512; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Verifies the header checksum (unsigned sum, checksum field counted as spaces). */
export function checksumOk(buf: Uint8Array, off = 0): boolean {
  const stored = numeric(buf, off + 148, 8);
  let sum = 0;
  if (((buf.byteOffset + off) & 3) === 0) {
    // Word-wise byte sums (4 bytes per step): this runs once per member of every layer.
    const w = new Uint32Array(buf.buffer, buf.byteOffset + off, 128);
    for (let k = 0; k < 128; k++) {
      if (k === 37 || k === 38) continue; // bytes 148..155: the checksum field itself
      const x = w[k]!;
      const pairs = (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
      sum += (pairs & 0xffff) + (pairs >>> 16);
    }
    return sum + 8 * 0x20 === stored;
  }
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : buf[off + i]!;
  return sum === stored;
}

/** Shared one-character strings for typeflags (no allocation per header). */
const TYPEFLAGS: Record<number, string> = Object.fromEntries(
  [0, ...'0123456789xgLKXS'.split('').map((c) => c.charCodeAt(0))].map((c) => [c, String.fromCharCode(c)]),
);

/** Parses one header block at `off`. Returns undefined when the checksum does not match. */
export function parseHeader(buf: Uint8Array, off = 0): RawHeader | undefined {
  if (!checksumOk(buf, off)) return undefined;
  let name = cstring(buf, off, 100);
  // POSIX ustar ("ustar\0") keeps a name prefix at 345; GNU ("ustar  ") uses that space otherwise.
  const ustar = buf[off + 257] === 0x75 && buf[off + 258] === 0x73 && buf[off + 259] === 0x74 && buf[off + 260] === 0x61 && buf[off + 261] === 0x72;
  if (ustar && buf[off + 262] === 0 && buf[off + 345] !== 0) name = `${cstring(buf, off + 345, 155)}/${name}`;
  const typeflag = buf[off + 156]!;
  return {
    name,
    typeflag: TYPEFLAGS[typeflag] ?? String.fromCharCode(typeflag),
    mode: numeric(buf, off + 100, 8),
    uid: numeric(buf, off + 108, 8),
    gid: numeric(buf, off + 116, 8),
    size: numeric(buf, off + 124, 12),
    mtime: numeric(buf, off + 136, 12),
    linkname: typeflag === 0x31 || typeflag === 0x32 ? cstring(buf, off + 157, 100) : '',
    devMajor: numeric(buf, off + 329, 8),
    devMinor: numeric(buf, off + 337, 8),
  };
}

/** Parses PAX extended-header records (`"%d %s=%s\n"`). */
export function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    let sp = i;
    while (sp < body.length && body[sp] !== 0x20) sp++;
    const len = Number.parseInt(decoder.decode(body.subarray(i, sp)), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > body.length) break;
    const rec = decoder.decode(body.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Applies PAX overrides to a header. */
export function applyPax(h: RawHeader, pax: Record<string, string>): void {
  if (pax.path !== undefined) h.name = pax.path;
  if (pax.linkpath !== undefined) h.linkname = pax.linkpath;
  if (pax.size !== undefined) h.size = Number(pax.size);
  if (pax.uid !== undefined) h.uid = Number(pax.uid);
  if (pax.gid !== undefined) h.gid = Number(pax.gid);
  if (pax.mtime !== undefined) h.mtime = Math.floor(Number(pax.mtime));
}

/** Typeflags that describe the next entry rather than being one. */
export function isMetaTypeflag(t: string): boolean {
  return t === 'x' || t === 'g' || t === 'L' || t === 'K' || t === 'X';
}

/** Maps a tar typeflag to an entry type; undefined for flags that carry no filesystem object. */
export function entryTypeOf(typeflag: string, name: string): EntryType | undefined {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      // Old tars mark directories only by a trailing slash.
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char-device';
    case '4':
      return 'block-device';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return undefined;
  }
}

/**
 * Cleans a tar member name like Go's `path.Clean`, relative: `./a//b/../c/` → `a/c`.
 * Returns '' for the root (`.`, `./`, `/`).
 */
export function cleanPath(name: string): string {
  if (name === '' || name === '.' || name === './' || name === '/') return '';
  // Fast path: already clean but for a trailing slash (almost every layer entry).
  if (name.charCodeAt(0) !== 0x2f && !name.startsWith('./') && !name.startsWith('../') && !name.includes('//') && !name.includes('/./') && !name.includes('/../') && !name.endsWith('/.') && !name.endsWith('/..') && name !== '..') {
    return name.charCodeAt(name.length - 1) === 0x2f ? name.slice(0, -1) : name;
  }
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}
