import type { EntryType } from '../core/index.js';

/**
 * One parsed 512-byte tar header (ustar, GNU or PAX-extended), names not yet cleaned. Numeric
 * fields are read as strictly as Go's archive/tar (which Docker uses): octal with only spaces
 * and NULs around it, or GNU base-256; anything else is a `TarFormatError`.
 */
export type RawHeader = {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  /** The entry's size as a file: for a sparse file its real (logical) size. */
  size: number;
  /** Bytes of data stored after the header(s), padded to 512 (0 for links, directories, devices, FIFOs). */
  bodySize: number;
  mtime: number;
  linkname: string;
  devMajor: number;
  devMinor: number;
  /** For a sparse file: its sparse map as stored (headers or PAX records), so equal data under different maps compare different. */
  sparse?: string;
  /** GNU sparse (`S`) headers continue in extension blocks after this one. */
  sparseExtended?: boolean;
};

/** A header that breaks the tar format; `entry` is the member's name as far as it is known. */
export class TarFormatError extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`entry "${entry}": ${reason}`);
    this.name = 'TarFormatError';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a name's bytes. Valid UTF-8 is decoded as such; each byte of an invalid sequence
 * becomes the lone surrogate U+DC00+byte (Python's "surrogateescape"), which no valid UTF-8
 * decodes to, so two names that differ in bytes stay two different paths.
 */
export function decodeName(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (n === 1) {
        out += String.fromCharCode(b);
        i++;
        continue;
      }
      if (n > 0 && i + n <= bytes.length) {
        try {
          out += strictUtf8.decode(bytes.subarray(i, i + n));
          i += n;
          continue;
        } catch {
          // not a valid sequence: escape its first byte
        }
      }
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
    return out;
  }
}

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
  return decodeName(buf.subarray(start, end));
}

/**
 * Parses a numeric header field as Go's archive/tar does: GNU base-256 (two's complement,
 * big-endian) when the first byte's high bit is set, else octal digits with leading and
 * trailing spaces or NULs (a NUL ends the field). Throws TarFormatError for anything else, and
 * for a value JavaScript cannot hold exactly.
 */
function numeric(buf: Uint8Array, start: number, len: number, field: string, entry: string): number {
  const first = buf[start]!;
  if (first & 0x80) {
    const inv = first & 0x40 ? 0xff : 0;
    let v = 0;
    for (let i = 0; i < len; i++) {
      let c = buf[start + i]! ^ inv;
      if (i === 0) c &= 0x7f;
      v = v * 256 + c;
      if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(entry, `the ${field} field overflows (base-256)`);
    }
    return inv ? -v - 1 : v;
  }
  let s = start;
  let e = start + len;
  while (s < e && (buf[s] === 0x20 || buf[s] === 0)) s++;
  // A NUL ends the field (C string); then trailing spaces go.
  for (let i = s; i < e; i++) {
    if (buf[i] === 0) {
      e = i;
      break;
    }
  }
  while (e > s && buf[e - 1] === 0x20) e--;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37) throw new TarFormatError(entry, `the ${field} field is not an octal number`);
    v = v * 8 + (c - 0x30);
  }
  if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(entry, `the ${field} field overflows`);
  return v;
}

/** True when every byte of the 512-byte block is zero (end-of-archive marker). */
export function isZeroBlock(buf: Uint8Array, off = 0): boolean {
  for (let i = off; i < off + 512; i++) if (buf[i] !== 0) return false;
  return true;
}

/** The stored checksum, or undefined when the field is not a number. */
function storedChecksum(buf: Uint8Array, off: number): number | undefined {
  try {
    return numeric(buf, off + 148, 8, 'checksum', '');
  } catch {
    return undefined;
  }
}

/**
 * Verifies the header checksum: the sum of the header's bytes with the checksum field counted
 * as spaces, unsigned (POSIX) or with bytes taken as signed (some old tars; Go accepts both).
 */
export function checksumOk(buf: Uint8Array, off = 0): boolean {
  const stored = storedChecksum(buf, off);
  if (stored === undefined) return false;
  let sum = 0;
  let high = 0;
  if (((buf.byteOffset + off) & 3) === 0) {
    // Word-wise byte sums (4 bytes per step): this runs once per member of every layer.
    const w = new Uint32Array(buf.buffer, buf.byteOffset + off, 128);
    for (let k = 0; k < 128; k++) {
      if (k === 37 || k === 38) continue; // bytes 148..155: the checksum field itself
      const x = w[k]!;
      const pairs = (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
      sum += (pairs & 0xffff) + (pairs >>> 16);
      if (x & 0x80808080) high += ((x >>> 7) & 1) + ((x >>> 15) & 1) + ((x >>> 23) & 1) + (x >>> 31);
    }
  } else {
    for (let i = 0; i < 512; i++) {
      if (i >= 148 && i < 156) continue;
      const b = buf[off + i]!;
      sum += b;
      if (b & 0x80) high++;
    }
  }
  sum += 8 * 0x20;
  // A signed sum differs by 256 for every byte of 0x80 or more.
  return sum === stored || sum - 256 * high === stored;
}

/** Shared one-character strings for typeflags (no allocation per header). */
const TYPEFLAGS: Record<number, string> = Object.fromEntries(
  [0, ...'0123456789xgLKXSDMNV'.split('').map((c) => c.charCodeAt(0))].map((c) => [c, String.fromCharCode(c)]),
);

/** Typeflags whose entries carry no data, whatever their size field says (Go's `isHeaderOnlyType`). */
function isHeaderOnly(t: string): boolean {
  return t === '1' || t === '2' || t === '3' || t === '4' || t === '5' || t === '6';
}

/**
 * Parses one header block at `off`. Returns undefined when the checksum does not match (not a
 * header); throws TarFormatError naming the entry for a malformed numeric field or size.
 */
export function parseHeader(buf: Uint8Array, off = 0): RawHeader | undefined {
  if (!checksumOk(buf, off)) return undefined;
  let name = cstring(buf, off, 100);
  // POSIX ustar ("ustar\0") keeps a name prefix at 345; GNU ("ustar  ") uses that space otherwise.
  const ustar = buf[off + 257] === 0x75 && buf[off + 258] === 0x73 && buf[off + 259] === 0x74 && buf[off + 260] === 0x61 && buf[off + 261] === 0x72;
  const gnu = ustar && buf[off + 262] === 0x20;
  if (ustar && buf[off + 262] === 0 && buf[off + 345] !== 0) name = `${cstring(buf, off + 345, 155)}/${name}`;
  const tf = buf[off + 156]!;
  const typeflag = TYPEFLAGS[tf] ?? String.fromCharCode(tf);
  const stored = numeric(buf, off + 124, 12, 'size', name);
  if (stored < 0) throw new TarFormatError(name, `negative size (${stored})`);
  const h: RawHeader = {
    name,
    typeflag,
    mode: numeric(buf, off + 100, 8, 'mode', name),
    uid: numeric(buf, off + 108, 8, 'uid', name),
    gid: numeric(buf, off + 116, 8, 'gid', name),
    size: isHeaderOnly(typeflag) ? 0 : stored,
    bodySize: isHeaderOnly(typeflag) ? 0 : stored,
    mtime: numeric(buf, off + 136, 12, 'mtime', name),
    linkname: tf === 0x31 || tf === 0x32 ? cstring(buf, off + 157, 100) : '',
    devMajor: ustar && (tf === 0x33 || tf === 0x34) ? numeric(buf, off + 329, 8, 'devmajor', name) : 0,
    devMinor: ustar && (tf === 0x33 || tf === 0x34) ? numeric(buf, off + 337, 8, 'devminor', name) : 0,
  };
  if (typeflag === 'S' && gnu) {
    // Old GNU sparse: the real size at 483, the map (4 entries) at 386, more in extension blocks.
    h.size = numeric(buf, off + 483, 12, 'realsize', name);
    h.sparse = Buffer.from(buf.subarray(off + 386, off + 482)).toString('latin1');
    h.sparseExtended = buf[off + 482] !== 0;
  }
  return h;
}

/** For a GNU sparse extension block: its map entries (as stored) and whether another block follows. */
export function parseSparseExtension(buf: Uint8Array, off: number): { map: string; more: boolean } {
  return { map: Buffer.from(buf.subarray(off, off + 504)).toString('latin1'), more: buf[off + 504] !== 0 };
}

/**
 * Parses PAX extended-header records (`"%d %s=%s\n"`) as strictly as Go: a record whose length
 * is not a decimal number, runs past the body, lacks its newline or `=`, or a path that holds a
 * NUL, is a TarFormatError naming `entry`.
 */
export function parsePax(body: Uint8Array, entry = ''): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  // Trailing NUL padding after the last record is tolerated.
  let end = body.length;
  while (end > 0 && body[end - 1] === 0) end--;
  while (i < end) {
    let sp = i;
    while (sp < end && body[sp] >= 0x30 && body[sp] <= 0x39) sp++;
    const len = sp > i && sp - i < 16 ? Number(Buffer.from(body.subarray(i, sp)).toString('latin1')) : NaN;
    if (body[sp] !== 0x20 || !Number.isSafeInteger(len) || len <= sp - i + 1 || i + len > end || body[i + len - 1] !== 0x0a) {
      throw new TarFormatError(entry, 'malformed PAX extended header');
    }
    const rec = body.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError(entry, 'malformed PAX record (no key)');
    const key = decodeName(rec.subarray(0, eq));
    const value = decodeName(rec.subarray(eq + 1));
    if ((key === 'path' || key === 'linkpath' || key === 'GNU.sparse.name') && value.includes('\0')) {
      throw new TarFormatError(entry, `a NUL inside the PAX ${key}`);
    }
    out[key] = value;
    i += len;
  }
  return out;
}

const DECIMAL = /^[0-9]{1,16}$/;

function paxInteger(pax: Record<string, string>, key: string, entry: string): number | undefined {
  const v = pax[key];
  if (v === undefined) return undefined;
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new TarFormatError(entry, `PAX ${key} "${v.slice(0, 40)}" is not a non-negative integer`);
  return n;
}

/**
 * Applies a member's PAX records to its header: path, linkpath, size, uid, gid, mtime, and the
 * GNU sparse formats 0.0, 0.1 (map in records) and 1.0 (map at the start of the data), whose
 * real size and name replace the stored ones. Sizes and ids must be non-negative integers.
 */
export function applyPax(h: RawHeader, pax: Record<string, string>): void {
  const entry = pax.path ?? h.name;
  if (pax.path !== undefined) h.name = pax.path;
  if (pax.linkpath !== undefined) h.linkname = pax.linkpath;
  const size = paxInteger(pax, 'size', entry);
  if (size !== undefined && !isHeaderOnly(h.typeflag)) {
    h.size = size;
    h.bodySize = size;
  }
  const uid = paxInteger(pax, 'uid', entry);
  if (uid !== undefined) h.uid = uid;
  const gid = paxInteger(pax, 'gid', entry);
  if (gid !== undefined) h.gid = gid;
  if (pax.mtime !== undefined) {
    const m = /^-?[0-9]{1,16}(\.[0-9]*)?$/.test(pax.mtime) ? Math.floor(Number(pax.mtime)) : NaN;
    if (!Number.isSafeInteger(m)) throw new TarFormatError(entry, `PAX mtime "${pax.mtime.slice(0, 40)}" is not a time`);
    h.mtime = m;
  }
  // GNU sparse in PAX: 1.0 names the real file in GNU.sparse.name and its size in
  // GNU.sparse.realsize; 0.0/0.1 give the size in GNU.sparse.size.
  const realSize = pax['GNU.sparse.major'] !== undefined ? paxInteger(pax, 'GNU.sparse.realsize', entry) : paxInteger(pax, 'GNU.sparse.size', entry);
  if (realSize !== undefined) {
    if (pax['GNU.sparse.name'] !== undefined) h.name = pax['GNU.sparse.name'];
    h.size = realSize;
    h.sparse = Object.keys(pax)
      .filter((k) => k.startsWith('GNU.sparse.'))
      .sort()
      .map((k) => `${k}=${pax[k]}`)
      .join('\n');
  }
}

/** Typeflags that describe the next entry rather than being one (PAX, global PAX, GNU long name/link). */
export function isMetaTypeflag(t: string): boolean {
  return t === 'x' || t === 'g' || t === 'L' || t === 'K' || t === 'X';
}

/**
 * Folds the meta members before an entry into it: PAX records (`x`, Solaris `X`) and GNU long
 * names and links (`L`, `K`). Global PAX headers (`g`) describe the archive, and like Go's
 * reader (and Docker), they are not applied to entries. A long name whose bytes continue after
 * a NUL is refused (its visible and stored names would differ).
 */
export class HeaderFolder {
  private pax: Record<string, string> | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;

  /** Takes a meta member's body. */
  meta(h: RawHeader, body: Uint8Array): void {
    if (h.typeflag === 'x' || h.typeflag === 'X') this.pax = { ...this.pax, ...parsePax(body, h.name) };
    else if (h.typeflag === 'L') this.longName = gnuLongString(body, h.name, 'name');
    else if (h.typeflag === 'K') this.longLink = gnuLongString(body, h.name, 'link');
  }

  /** Applies what the meta members said to the entry header `h` (in place), and forgets it. */
  fold(h: RawHeader): RawHeader {
    if (this.longName !== undefined) h.name = this.longName;
    if (this.longLink !== undefined) h.linkname = this.longLink;
    if (this.pax) applyPax(h, this.pax);
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    return h;
  }
}

function gnuLongString(body: Uint8Array, entry: string, what: string): string {
  let end = body.indexOf(0);
  if (end < 0) end = body.length;
  for (let i = end; i < body.length; i++) {
    if (body[i] !== 0) throw new TarFormatError(entry, `a NUL inside the GNU long ${what}`);
  }
  return decodeName(body.subarray(0, end));
}

/** Maps a tar typeflag to an entry type; undefined for flags that carry no filesystem object. */
export function entryTypeOf(typeflag: string, name: string): EntryType | undefined {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      // Old tars mark directories only by a trailing slash.
      return name.endsWith('/') ? 'dir' : 'file';
    case 'S':
      return 'file';
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
