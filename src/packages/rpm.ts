import type { Parsed } from './dpkg.js';
import { PACKAGE_LIMITS } from './model.js';
import { cleanJoin, isPlainField } from './text.js';

/**
 * Reader for rpm's SQLite database, `rpmdb.sqlite` (rpm >= 4.16: Fedora 33+, RHEL 9, Amazon
 * Linux 2023). Its `Packages` table holds one header blob per package, in the layout
 * `headerExport` writes (rpm's "Package File Format", header structure without the leading
 * magic): big-endian index count and data length, then 16-byte index entries (tag, type,
 * offset, count) and the data store. Older BerkeleyDB `Packages` and ndb `Packages.db` files
 * are not read.
 *
 * The SQLite file is read with sql.js (SQLite compiled to WebAssembly); its module is loaded only
 * when an image has an rpmdb, from the wasm bytes the caller supplies (no fetch, no file access
 * here).
 */

/** One installed rpm package. `version` is `[EPOCH:]VERSION-RELEASE`. */
export type RpmRecord = { readonly name: string; readonly version: string; readonly arch: string; readonly files: readonly string[] };

/** The part of sql.js this reader uses. */
export type SqlEngine = import('sql.js').SqlJsStatic;

/** Where the SQLite engine's wasm file lies inside the `sql.js` package (for the caller to resolve and read). */
export const SQLITE_WASM_MODULE = 'sql.js/dist/sql-wasm.wasm';

/** Starts sql.js with the wasm bytes given (read by the caller from `SQLITE_WASM_MODULE` or a copy next to a bundle). */
export async function loadSqlEngine(wasm: Uint8Array): Promise<SqlEngine> {
  const mod = await import('sql.js');
  const init = mod.default;
  const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
  return init({ wasmBinary });
}

// Tags (rpmtag.h) and types (header.h).
const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, arch: 1022, oldFilenames: 1027, dirIndexes: 1116, baseNames: 1117, dirNames: 1118 } as const;
const TYPE = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const;

const decoder = new TextDecoder('utf-8');

/** Largest data store accepted (rpm's own limit, `hdrchkData`, is 256 MiB). */
const MAX_DATA = 256 * 1024 * 1024;

type Entry = { type: number; offset: number; count: number };

/**
 * Parses one header blob: name, epoch, version, release, architecture and the file list
 * (BASENAMES joined to DIRNAMES by DIRINDEXES, or the legacy OLDFILENAMES). Every offset and
 * count is checked against the blob before it is used.
 */
export function parseRpmHeader(blob: Uint8Array): Parsed<RpmRecord> {
  if (blob.length < 8) return { ok: false, reason: 'a header is shorter than its preamble' };
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il === 0 || il > PACKAGE_LIMITS.rpmHeaderTags || dl > MAX_DATA) return { ok: false, reason: 'a header has an impossible size' };
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) return { ok: false, reason: 'a header is truncated' };
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getUint32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getUint32(at + 8);
    const count = view.getUint32(at + 12);
    if (offset > dl || count > dl) return { ok: false, reason: 'a header entry points outside its data' };
    if (!entries.has(tag)) entries.set(tag, { type, offset, count });
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  const strings = (tag: number, types: readonly number[]): string[] | string | undefined => {
    const e = entries.get(tag);
    if (!e) return undefined;
    if (!types.includes(e.type)) return `tag ${tag} has type ${e.type}`;
    const n = e.type === TYPE.stringArray ? e.count : 1;
    const out: string[] = [];
    let at = e.offset;
    for (let k = 0; k < n; k++) {
      const end = data.indexOf(0, at);
      if (end < 0) return `tag ${tag} runs past its data`;
      out.push(decoder.decode(data.subarray(at, end)));
      at = end + 1;
    }
    return out;
  };
  const int32s = (tag: number): Uint32Array | string | undefined => {
    const e = entries.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE.int32) return `tag ${tag} has type ${e.type}`;
    if (e.offset % 4 !== 0 || e.offset + e.count * 4 > dl) return `tag ${tag} runs past its data`;
    const out = new Uint32Array(e.count);
    const dv = new DataView(data.buffer, data.byteOffset + e.offset, e.count * 4);
    for (let k = 0; k < e.count; k++) out[k] = dv.getUint32(k * 4);
    return out;
  };
  const one = (tag: number): string | undefined | { error: string } => {
    const s = strings(tag, [TYPE.string, TYPE.i18nString, TYPE.stringArray]);
    if (typeof s === 'string') return { error: s };
    return s?.[0];
  };
  const name = one(TAG.name);
  const ver = one(TAG.version);
  const rel = one(TAG.release);
  const arch = one(TAG.arch);
  for (const v of [name, ver, rel, arch]) if (typeof v === 'object') return { ok: false, reason: `a header is malformed (${v.error})` };
  if (typeof name !== 'string' || typeof ver !== 'string') return { ok: false, reason: 'a header has no name or version' };
  const epochs = int32s(TAG.epoch);
  if (typeof epochs === 'string') return { ok: false, reason: `a header is malformed (${epochs})` };
  const epoch = epochs && epochs.length > 0 ? epochs[0] : undefined;
  const version = `${epoch !== undefined ? `${epoch}:` : ''}${ver}${typeof rel === 'string' ? `-${rel}` : ''}`;
  if (!isPlainField(name, PACKAGE_LIMITS.nameLength) || !isPlainField(version, PACKAGE_LIMITS.versionLength)) return { ok: false, reason: 'a header has a malformed name or version' };

  const files: string[] = [];
  const base = strings(TAG.baseNames, [TYPE.stringArray]);
  const dirs = strings(TAG.dirNames, [TYPE.stringArray]);
  const idx = int32s(TAG.dirIndexes);
  for (const v of [base, dirs, idx]) if (typeof v === 'string') return { ok: false, reason: `package ${name}: header is malformed (${v})` };
  if (base !== undefined) {
    const b = base as string[];
    const d = dirs as string[] | undefined;
    const x = idx as Uint32Array | undefined;
    if (!d || !x || x.length !== b.length) return { ok: false, reason: `package ${name}: file names and directory indexes disagree` };
    for (let k = 0; k < b.length; k++) {
      const dir = d[x[k]!];
      if (dir === undefined) return { ok: false, reason: `package ${name}: a directory index is out of range` };
      const p = cleanJoin('', dir + b[k]!);
      if (p !== undefined) files.push(p);
    }
  } else {
    const old = strings(TAG.oldFilenames, [TYPE.stringArray]);
    if (typeof old === 'string') return { ok: false, reason: `package ${name}: header is malformed (${old})` };
    for (const f of old ?? []) {
      const p = cleanJoin('', f);
      if (p !== undefined) files.push(p);
    }
  }
  return { ok: true, value: { name, version, arch: typeof arch === 'string' ? arch : '', files } };
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Every package of an `rpmdb.sqlite` file, or why it cannot be read. */
export function readRpmSqlite(bytes: Uint8Array, engine: SqlEngine): Parsed<RpmRecord[]> {
  if (bytes.length < 100 || decoder.decode(bytes.subarray(0, 16)) !== SQLITE_MAGIC) return { ok: false, reason: 'not an SQLite database' };
  let db: InstanceType<SqlEngine['Database']> | undefined;
  try {
    db = new engine.Database(bytes);
    const stmt = db.prepare('SELECT blob FROM Packages');
    const out: RpmRecord[] = [];
    let listed = 0;
    try {
      while (stmt.step()) {
        const blob = stmt.get()[0];
        if (!(blob instanceof Uint8Array)) return { ok: false, reason: 'a Packages row holds no header blob' };
        const r = parseRpmHeader(blob);
        if (!r.ok) return r;
        listed += r.value.files.length;
        if (out.length >= PACKAGE_LIMITS.packages) return { ok: false, reason: `more than ${PACKAGE_LIMITS.packages} packages` };
        if (listed > PACKAGE_LIMITS.listedPaths) return { ok: false, reason: `more than ${PACKAGE_LIMITS.listedPaths} files` };
        out.push(r.value);
      }
    } finally {
      stmt.free();
    }
    return { ok: true, value: out };
  } catch (e) {
    // SQLite's own message for a corrupt or foreign file ("file is not a database", "no such table: Packages").
    return { ok: false, reason: `cannot be read as an rpm database (${e instanceof Error ? e.message : String(e)})` };
  } finally {
    db?.close();
  }
}
