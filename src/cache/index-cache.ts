import { EntryKind, EQUAL_CONTENT_KEY, MergedViews, PathTable, UNIQUE_CONTENT_KEY, type ChangeCounts, type ContentKeys, type KnownFigures, type ImageIndex, type ImageInput, type LayerEntry, type PathProblem, type Removal } from '../core/index.js';
import { CACHE_FORMAT, checksum, type CacheDir } from './cache-dir.js';
import { imageEntryName, type ImageKey } from './result-cache.js';

const MAGIC = 'inspect-tui index cache\n';

type Header = {
  format: string;
  /** The entry's own file name: an entry copied or renamed to another image's name is refused. */
  name: string;
  layers: number;
  /** Explicit entries (every layer's, in order) and all entries (with the implied directories). */
  explicit: number;
  entries: number;
  paths: number;
  /** Paths stored in the entry: those no explicit write names (the rest are the layers' own strings). */
  stored: number;
  sections: Record<string, [number, number]>;
  /** sha256 of everything after the header: a damaged entry is ignored, never trusted. */
  body: string;
};

/** The analysed index of an image, the content keys its analysis used and the figures it found: what `IndexCache.get` gives back. */
export type CachedIndex = { readonly index: ImageIndex; readonly keys: ContentKeys; readonly figures: KnownFigures };

const PROBLEMS: ReadonlySet<PathProblem['problem']> = new Set(['whiteout-target-missing', 'opaque-dir-missing', 'entry-under-non-directory']);

/** How a content key is stored: none, unique to its entry, a sha256, one of a class compared equal, anything else (see `ContentKeys`). */
const Key = { none: 0, unique: 1, digest: 2, equal: 3, other: 4 } as const;

/**
 * The analysed index of an image (`indexImage`: interned paths, each layer's merged view and
 * changes, removals, dive's contributions) with its content keys, per image, keyed as the
 * result cache's entries are (config digest, platform, every layer's diffID and stored size).
 * A cached open of the inspector maps it in instead of interning every path and deriving every
 * layer's view again: at 200k files that rebuild took 1.2 s, this 0.1–0.2 s. The layer entries
 * themselves are not stored: they come from the layer cache and are checked against the index.
 *
 * Entries are written only for verified images (the lifecycle sees to it). Reading checks the
 * checksum, the entry's own name, every count against the layers given, that the paths form a
 * tree with sorted children, that every explicit entry's path is the one its layer names, and
 * that every id is in range: a damaged, truncated, foreign or hostile entry is ignored (the
 * index is rebuilt), never trusted and never a crash.
 */
export class IndexCache {
  constructor(private readonly dir: CacheDir) {}

  /** The cached index of `image`, for `input` (its layers' entries, from the layer cache); undefined when absent or not trustworthy. */
  get(image: ImageKey, input: ImageInput): CachedIndex | undefined {
    const name = imageEntryName(image, 'index');
    if (!name) return undefined;
    return this.dir.readEntry(name, (buf) => decodeIndex(buf, name, input));
  }

  /** Keeps `index`, its `keys` and the `figures` its analysis found (`knownFigures`). */
  put(image: ImageKey, index: ImageIndex, keys: ContentKeys, figures: KnownFigures): void {
    const name = imageEntryName(image, 'index');
    if (!name) return;
    this.dir.write(name, encodeIndex(name, index, keys, figures));
  }
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Concatenated per-layer lists and where each layer's starts (`at[li]` to `at[li + 1]`). */
function flatten(lists: readonly ArrayLike<number>[]): { at: Int32Array; all: Int32Array } {
  const at = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (at[i + 1] = at[i]! + l.length));
  const all = new Int32Array(at[lists.length]!);
  lists.forEach((l, i) => all.set(l, at[i]!));
  return { at, all };
}

/** The bytes of an entry named `name` for `index` and its `keys` (exported for the tests). */
export function encodeIndex(name: string, index: ImageIndex, keys: ContentKeys, figures: KnownFigures): Buffer {
  const { paths, entries, merged, contributions } = index;
  const N = paths.size;
  const n = entries.length;
  const L = index.input.layers.length;
  const explicit = index.input.layers.reduce((s, l) => s + l.entries.length, 0);
  const childAt = new Int32Array(N + 1);
  for (let p = 0; p < N; p++) childAt[p + 1] = childAt[p]! + paths.children[p]!.length;
  const childIds = new Int32Array(childAt[N]!);
  for (let p = 0; p < N; p++) childIds.set(paths.children[p]!, childAt[p]!);
  const implicitLayer = index.entryLayer.slice(explicit);
  // A path some layer writes is that entry's own string when read back: only the others are stored.
  const written = new Uint8Array(N);
  for (let g = 0; g < explicit; g++) if (index.entryKind[g] === EntryKind.write) written[index.entryPath[g]!] = 1;
  const stored = paths.paths.filter((_, p) => written[p] === 0);
  const m = merged.columns();
  const touched = flatten(index.touched);
  const markers = flatten(index.markers);
  const removals = flatten(index.removals.map((r) => r.map((x) => x.path)));
  const removalDir = Int32Array.from(index.removals.flat(), (x) => x.markerDir);
  const removalVia = Uint8Array.from(index.removals.flat(), (x) => (x.via === 'opaque' ? 1 : 0));
  const keyKind = new Uint8Array(n);
  const digests: Buffer[] = [];
  const equal: number[] = [];
  const other: string[] = [];
  for (let g = 0; g < n; g++) {
    const k = keys[g];
    if (k === undefined) continue;
    if (k === `${UNIQUE_CONTENT_KEY}${g}`) keyKind[g] = Key.unique;
    else if (/^[0-9a-f]{64}$/.test(k)) {
      keyKind[g] = Key.digest;
      digests.push(Buffer.from(k, 'hex'));
    } else if (k.startsWith(EQUAL_CONTENT_KEY) && /^(?:0|[1-9]\d*)$/.test(k.slice(1)) && Number(k.slice(1)) < n) {
      keyKind[g] = Key.equal;
      equal.push(Number(k.slice(1)));
    } else {
      keyKind[g] = Key.other;
      other.push(k);
    }
  }
  const parts: [string, Uint8Array][] = [
    ['paths', Buffer.from(stored.join('\0'))],
    ['parents', bytes(Int32Array.from(paths.parents))],
    ['childAt', bytes(childAt)],
    ['childIds', bytes(childIds)],
    ['entryPath', bytes(index.entryPath)],
    ['entryKind', bytes(index.entryKind)],
    ['implicitLayer', bytes(implicitLayer)],
    ['mergedStart', bytes(m.start)],
    ['changeLayer', bytes(m.changeLayer)],
    ['changeEntry', bytes(m.changeEntry)],
    ['last', bytes(m.last)],
    ['touchedAt', bytes(touched.at)],
    ['touched', bytes(touched.all)],
    ['markerAt', bytes(markers.at)],
    ['markers', bytes(markers.all)],
    ['removalAt', bytes(removals.at)],
    ['removalPath', bytes(removals.all)],
    ['removalDir', bytes(removalDir)],
    ['removalVia', removalVia],
    ['count', bytes(contributions.count)],
    ['sum', bytes(contributions.sum)],
    ['min', bytes(contributions.min)],
    ['problems', Buffer.from(JSON.stringify(index.problems))],
    ['keyKind', keyKind],
    ['keyDigests', Buffer.concat(digests)],
    ['keyEqual', bytes(Int32Array.from(equal))],
    ['keyOther', Buffer.from(JSON.stringify(other))],
    ['figures', Buffer.from(JSON.stringify({ changes: figures.changes.map((c) => [c.added, c.modified, c.removed, c.unmodified]), reclaimable: figures.reclaimable, fileCount: figures.fileCount }))],
  ];
  const sections: Record<string, [number, number]> = {};
  let at = 0;
  for (const [k, v] of parts) {
    sections[k] = [at, v.byteLength];
    at += Math.ceil(v.byteLength / 8) * 8;
  }
  const body = Buffer.alloc(at);
  for (const [k, v] of parts) body.set(v, sections[k]![0]);
  const header: Header = { format: CACHE_FORMAT, name, layers: L, explicit, entries: n, paths: N, stored: stored.length, sections, body: checksum(body) };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const headLen = Math.ceil(head.length / 8) * 8;
  return Buffer.concat([head, Buffer.alloc(headLen - head.length), body]);
}

/** Thrown inside `decodeIndex` for an entry that does not hold together; it becomes a miss. */
class Refused extends Error {}
function check(ok: boolean): asserts ok {
  if (!ok) throw new Refused('index cache entry refused');
}

/**
 * The index and keys an entry holds, for the image whose entry name is `name` and whose layers'
 * entries `input` gives; undefined for another format, image or layer set. Throws (`Refused`, or
 * whatever malformed JSON throws) for an entry that is not sound: the caller treats both as a miss.
 */
export function decodeIndex(buf: Buffer, name: string, input: ImageInput): CachedIndex | undefined {
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const nl = buf.indexOf(10, MAGIC.length);
  check(nl > 0);
  const h = JSON.parse(buf.toString('utf8', MAGIC.length, nl)) as Header;
  if (h.format !== CACHE_FORMAT || h.name !== name) return undefined;
  const L = input.layers.length;
  const explicit = input.layers.reduce((s, l) => s + l.entries.length, 0);
  if (h.layers !== L || h.explicit !== explicit) return undefined;
  const n = h.entries;
  const N = h.paths;
  check(Number.isSafeInteger(n) && n >= explicit && Number.isSafeInteger(N) && N >= 1 && typeof h.sections === 'object' && h.sections !== null);
  const base = Math.ceil((nl + 1) / 8) * 8;
  if (checksum(buf.subarray(base)) !== h.body) return undefined;

  /** A section as a fresh, aligned buffer of `width`-byte items, `count` of them when given. */
  const sec = (k: string, width: number, count?: number): ArrayBuffer => {
    const s = h.sections[k];
    check(Array.isArray(s) && Number.isSafeInteger(s[0]) && Number.isSafeInteger(s[1]) && s[0] >= 0 && s[1] >= 0 && base + s[0] + s[1] <= buf.length && s[1] % width === 0);
    check(count === undefined || s[1] === count * width);
    return buf.buffer.slice(buf.byteOffset + base + s[0], buf.byteOffset + base + s[0] + s[1]) as ArrayBuffer;
  };
  const int32 = (k: string, count?: number) => new Int32Array(sec(k, 4, count));
  const text = (k: string) => Buffer.from(sec(k, 1)).toString('utf8');
  const inRange = (a: Int32Array, lo: number, hi: number) => {
    for (let i = 0; i < a.length; i++) if (a[i]! < lo || a[i]! >= hi) return false;
    return true;
  };
  /** Per-layer offsets into a list of `total` items: from 0, never falling, ending at `total`. */
  const offsets = (at: Int32Array, total: number) => {
    check(at[0] === 0 && at[L] === total);
    for (let i = 0; i < L; i++) check(at[i]! <= at[i + 1]!);
  };

  // Entries: the layers' own, in order, then the implied directories.
  const entryPath = int32('entryPath', n);
  const entryKind = new Uint8Array(sec('entryKind', 1, n));
  const implicitLayer = int32('implicitLayer', n - explicit);
  check(inRange(entryPath, 0, N) && inRange(implicitLayer, 0, L));
  const entries: LayerEntry[] = new Array<LayerEntry>(n);
  const entryLayer = new Int32Array(n);
  const entryLocal = new Int32Array(n);
  // Paths: those the layers write are the entries' own strings (a path written again must be the same).
  const paths = new Array<string>(N);
  let g = 0;
  input.layers.forEach((layer, li) => {
    const list = layer.entries;
    for (let k = 0; k < list.length; k++, g++) {
      const e = list[k]!;
      const kind = entryKind[g]!;
      check(kind < EntryKind.implicit);
      // Nearly every entry is an ordinary write of the path it names; markers are interpreted by the index.
      check(kind === EntryKind.write || e.path.indexOf('.wh.') >= 0);
      if (kind === EntryKind.write) {
        const p = entryPath[g]!;
        const known = paths[p];
        if (known === undefined) paths[p] = e.path;
        else check(known === e.path);
      }
      entries[g] = e;
      entryLayer[g] = li;
      entryLocal[g] = k;
    }
  });
  const stored = h.stored === 0 ? [] : text('paths').split('\0');
  check(stored.length === h.stored);
  let at = 0;
  for (let p = 0; p < N; p++) {
    if (paths[p] !== undefined) continue;
    check(at < stored.length);
    paths[p] = stored[at++]!;
  }
  check(at === stored.length && paths[0] === '');
  for (; g < n; g++) {
    check(entryKind[g] === EntryKind.implicit);
    entries[g] = { path: paths[entryPath[g]!]!, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: undefined };
    entryLayer[g] = implicitLayer[g - explicit]!;
    entryLocal[g] = -1;
  }

  // The paths form a tree whose parents come first, each path its parent's plus one component, children sorted by name.
  const parents = Array.from(int32('parents', N));
  check(parents[0] === -1);
  for (let p = 1; p < N; p++) {
    const q = parents[p]!;
    check(q >= 0 && q < p);
    const s = paths[p]!;
    const up = paths[q]!;
    const from = q === 0 ? 0 : up.length + 1;
    check(s.length > from && (q === 0 || (s.charCodeAt(up.length) === 47 && s.startsWith(up))) && s.indexOf('/', from) < 0);
  }
  const childAt = int32('childAt', N + 1);
  const childIds = int32('childIds', N - 1);
  check(childAt[0] === 0 && childAt[N] === N - 1);
  const names = new Array<string>(N);
  for (let p = 0; p < N; p++) names[p] = paths[p]!.slice(paths[p]!.lastIndexOf('/') + 1);
  const children = new Array<number[]>(N);
  const seen = new Uint8Array(N);
  const leaf: number[] = [];
  for (let p = 0; p < N; p++) {
    const a = childAt[p]!;
    const b = childAt[p + 1]!;
    check(a <= b && b <= N - 1);
    if (a === b) {
      children[p] = leaf;
      continue;
    }
    const list = new Array<number>(b - a);
    for (let i = 0; i < list.length; i++) {
      const c = childIds[a + i]!;
      check(c > 0 && c < N && seen[c] === 0 && parents[c] === p && (i === 0 || names[list[i - 1]!]! < names[c]!));
      seen[c] = 1;
      list[i] = c;
    }
    children[p] = list;
  }
  const table = PathTable.fromColumns(paths, names, parents, children);

  // Merged views: per path, its changes in rising layer order; every entry id in range.
  const start = int32('mergedStart', N + 1);
  const total = start[N]!;
  const changeLayer = int32('changeLayer', total);
  const changeEntry = int32('changeEntry', total);
  const last = int32('last', N);
  check(start[0] === 0 && inRange(changeEntry, -1, n) && inRange(last, -1, n) && last[0] === -1);
  for (let p = 0; p < N; p++) {
    const a = start[p]!;
    const b = start[p + 1]!;
    check(a <= b && b <= total);
    for (let s = a; s < b; s++) check(changeLayer[s]! >= 0 && changeLayer[s]! < L && (s === a || changeLayer[s]! > changeLayer[s - 1]!));
  }
  const merged = MergedViews.fromColumns(L, { start, changeLayer, changeEntry, last });

  const split = (at: Int32Array, all: Int32Array) => Array.from({ length: L }, (_, li) => all.subarray(at[li]!, at[li + 1]!));
  const touchedAt = int32('touchedAt', L + 1);
  const touchedAll = int32('touched');
  offsets(touchedAt, touchedAll.length);
  check(inRange(touchedAll, 0, N));
  const markerAt = int32('markerAt', L + 1);
  const markerAll = int32('markers');
  offsets(markerAt, markerAll.length);
  check(inRange(markerAll, 0, n));
  const removalAt = int32('removalAt', L + 1);
  const removalPath = int32('removalPath');
  const R = removalPath.length;
  const removalDir = int32('removalDir', R);
  const removalVia = new Uint8Array(sec('removalVia', 1, R));
  offsets(removalAt, R);
  check(inRange(removalPath, 0, N) && inRange(removalDir, 0, N) && removalVia.every((v) => v <= 1));
  const removals: Removal[][] = Array.from({ length: L }, (_, li) => {
    const out: Removal[] = [];
    for (let r = removalAt[li]!; r < removalAt[li + 1]!; r++) out.push({ path: removalPath[r]!, via: removalVia[r] === 1 ? 'opaque' : 'whiteout', markerDir: removalDir[r]! });
    return out;
  });

  const count = new Uint32Array(sec('count', 4, N));
  const sum = new Float64Array(sec('sum', 8, N));
  const min = new Float64Array(sec('min', 8, N));
  const problems = JSON.parse(text('problems')) as PathProblem[];
  check(Array.isArray(problems));
  for (const p of problems) check(typeof p === 'object' && p !== null && Number.isInteger(p.layer) && p.layer >= 0 && p.layer < L && typeof p.path === 'string' && PROBLEMS.has(p.problem));

  // Content keys, back as the strings the analysis compares.
  const keyKind = new Uint8Array(sec('keyKind', 1, n));
  const keyDigests = Buffer.from(sec('keyDigests', 32));
  const keyEqual = int32('keyEqual');
  const keyOther = JSON.parse(text('keyOther')) as unknown[];
  check(Array.isArray(keyOther) && keyOther.every((k) => typeof k === 'string') && inRange(keyEqual, 0, n));
  const keys = new Array<string | undefined>(n);
  let d = 0;
  let e = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    switch (keyKind[i]) {
      case Key.none:
        break;
      case Key.unique:
        keys[i] = `${UNIQUE_CONTENT_KEY}${i}`;
        break;
      case Key.digest:
        check(d < keyDigests.length / 32);
        keys[i] = keyDigests.toString('hex', d * 32, ++d * 32);
        break;
      case Key.equal:
        check(e < keyEqual.length);
        keys[i] = `${EQUAL_CONTENT_KEY}${keyEqual[e++]!}`;
        break;
      case Key.other:
        check(o < keyOther.length);
        keys[i] = keyOther[o++] as string;
        break;
      default:
        check(false);
    }
  }
  check(d * 32 === keyDigests.length && e === keyEqual.length && o === keyOther.length);

  // The figures the analysis found: counts and byte totals, one set of counts per layer.
  const f = JSON.parse(text('figures')) as { changes: unknown; reclaimable: Record<string, unknown>; fileCount: unknown };
  const tally = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
  const bytes = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  check(typeof f === 'object' && f !== null && Array.isArray(f.changes) && f.changes.length === L && tally(f.fileCount) && typeof f.reclaimable === 'object' && f.reclaimable !== null);
  const changes: ChangeCounts[] = (f.changes as unknown[]).map((c) => {
    check(Array.isArray(c) && c.length === 4 && c.every(tally));
    const [added, modified, removed, unmodified] = c as number[];
    return { added: added!, modified: modified!, removed: removed!, unmodified: unmodified! };
  });
  const r = f.reclaimable;
  check(bytes(r.overwrittenBytes) && bytes(r.deletedLaterBytes) && bytes(r.metadataOnlyBytes) && bytes(r.duplicateContentBytes) && bytes(r.totalBytes));
  const figures: KnownFigures = {
    changes,
    reclaimable: { overwrittenBytes: r.overwrittenBytes, deletedLaterBytes: r.deletedLaterBytes, metadataOnlyBytes: r.metadataOnlyBytes, duplicateContentBytes: r.duplicateContentBytes, totalBytes: r.totalBytes },
    fileCount: f.fileCount as number,
  };

  const index: ImageIndex = {
    input,
    paths: table,
    entries,
    entryLayer,
    entryLocal,
    entryPath,
    entryKind,
    merged,
    touched: split(touchedAt, touchedAll),
    removals,
    markers: split(markerAt, markerAll),
    contributions: { count, sum, min },
    problems,
  };
  return { index, keys, figures };
}
