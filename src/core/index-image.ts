import { MergedViews } from './merged-views.js';
import type { ImageInput, LayerEntry } from './model.js';
import { PathTable } from './path-table.js';

/**
 * Layer processing, phase one (no content hashes needed): interns every path, classifies each
 * layer's entries into writes, whiteouts and opaque directories, derives the merged
 * filesystem at every layer incrementally from the one below, and computes dive's per-path
 * contributions for the efficiency figures.
 *
 * Whiteout semantics (OCI image spec, "Whiteouts"; design.md "Semantics"):
 * - `.wh.NAME` in layer i deletes NAME, file or whole subtree, from the layers below i.
 * - `.wh..wh..opq` in directory D hides everything the lower layers put in D. It applies
 *   before the layer's own entries, whatever their order in the tar.
 * - Other `.wh..wh.*` names (AUFS `.wh..wh.plnk`) are metadata, not files.
 * - A whiteout never affects its own layer: removals are applied before the layer's writes.
 */

/** A per-path anomaly, returned rather than thrown (dive's PathError). */
export type PathProblem = {
  readonly layer: number;
  readonly path: string;
  readonly problem: 'whiteout-target-missing' | 'opaque-dir-missing' | 'entry-under-non-directory';
};

/** What hid a path in a layer: an explicit whiteout or an opaque directory. */
export type Removal = {
  /** The topmost path hidden (its whole subtree went with it). */
  readonly path: number;
  readonly via: 'whiteout' | 'opaque';
  /** The directory that holds the marker (`.wh.NAME` or `.wh..wh..opq`). */
  readonly markerDir: number;
};

/** Per-path accumulators of dive's efficiency visitor. */
export type Contributions = {
  /** Number of contributions per path id (dive's `len(Nodes)`). */
  readonly count: Uint32Array;
  /** Sum of contributions per path id (dive's `CumulativeSize`). */
  readonly sum: Float64Array;
  /** Smallest contribution per path id (dive's `minDiscoveredSize`). */
  readonly min: Float64Array;
};

export type ImageIndex = {
  readonly input: ImageInput;
  readonly paths: PathTable;
  /** Every entry of every layer, then the implicit directories, by global id. */
  readonly entries: readonly LayerEntry[];
  /** Layer of each global entry id. */
  readonly entryLayer: Int32Array;
  /** Index of each entry inside its layer's `entries` (-1 for implicit directories). */
  readonly entryLocal: Int32Array;
  /** Path id of each global entry id (whiteout markers: the target path). */
  readonly entryPath: Int32Array;
  /** What each global entry is: see `EntryKind`. */
  readonly entryKind: Uint8Array;
  /**
   * The merged filesystem after each layer: `merged.at(i, pathId)` is the global id of the entry
   * visible at that path, or -1 when absent. The root (id 0) is always -1 and always present.
   */
  readonly merged: MergedViews;
  /** Path ids whose visible entry changed in each layer (written, re-written or removed). */
  readonly touched: readonly Int32Array[];
  /** What each layer's whiteouts and opaque directories hid. */
  readonly removals: readonly (readonly Removal[])[];
  /** Global ids of each layer's whiteout-marker entries. */
  readonly markers: readonly Int32Array[];
  readonly contributions: Contributions;
  readonly problems: readonly PathProblem[];
};

/** Kinds of global entries. */
export const EntryKind = { write: 0, whiteout: 1, opaque: 2, metadata: 3, implicit: 4 } as const;

const WH = '.wh.';
const OPQ = '.wh..wh..opq';
const META_WH = '.wh..wh.';

function implicitDir(path: string): LayerEntry {
  return { path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: undefined };
}

/** True for synthetic entries that stand for a directory a layer created without an entry. */
export function isImplicit(index: ImageIndex, entryId: number): boolean {
  return index.entryKind[entryId] === EntryKind.implicit;
}

export function indexImage(input: ImageInput): ImageIndex {
  const paths = new PathTable();
  const entries: LayerEntry[] = [];
  // Per-entry columns, pre-sized for the explicit entries and grown for implicit directories.
  const explicitCount = input.layers.reduce((n, l) => n + l.entries.length, 0);
  let cap = explicitCount + 1024;
  let entryLayer = new Int32Array(cap);
  let entryLocal = new Int32Array(cap);
  let entryPath = new Int32Array(cap);
  let entryKind = new Uint8Array(cap);
  const pushColumns = (layer: number, local: number, path: number, kind: number) => {
    const g = entries.length - 1;
    if (g >= cap) {
      cap = Math.ceil(cap * 1.5);
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T) => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      entryLayer = grow(entryLayer, (n) => new Int32Array(n));
      entryLocal = grow(entryLocal, (n) => new Int32Array(n));
      entryPath = grow(entryPath, (n) => new Int32Array(n));
      entryKind = grow(entryKind, (n) => new Uint8Array(n));
    }
    entryLayer[g] = layer;
    entryLocal[g] = local;
    entryPath[g] = path;
    entryKind[g] = kind;
  };
  type Ops = { writes: number[]; whiteouts: number[]; opaques: number[]; metaDirs: number[] };
  const ops: Ops[] = [];

  input.layers.forEach((layer, li) => {
    const o: Ops = { writes: [], whiteouts: [], opaques: [], metaDirs: [] };
    layer.entries.forEach((e, k) => {
      const gid = entries.length;
      entries.push(e);
      // Fast path: a name with no `.wh.` anywhere is an ordinary write (nearly every entry).
      if (e.path.indexOf(WH) < 0) {
        pushColumns(li, k, paths.intern(e.path), EntryKind.write);
        o.writes.push(gid);
        return;
      }
      const slash = e.path.lastIndexOf('/');
      const dir = slash < 0 ? '' : e.path.slice(0, slash);
      const base = slash < 0 ? e.path : e.path.slice(slash + 1);
      const metaComponent = e.path.indexOf(`/${META_WH}`);
      if (base === OPQ) {
        pushColumns(li, k, paths.intern(dir), EntryKind.opaque);
        o.opaques.push(gid);
      } else if (base.startsWith(META_WH) || e.path.startsWith(META_WH) || metaComponent >= 0) {
        // AUFS hard-link store and the like: metadata. dive keeps the directories above it.
        const cut = e.path.startsWith(META_WH) ? '' : metaComponent >= 0 ? e.path.slice(0, metaComponent) : dir;
        pushColumns(li, k, paths.intern(cut), EntryKind.metadata);
        o.metaDirs.push(gid);
      } else if (base.startsWith(WH)) {
        const target = dir === '' ? base.slice(WH.length) : `${dir}/${base.slice(WH.length)}`;
        pushColumns(li, k, paths.intern(target), EntryKind.whiteout);
        o.whiteouts.push(gid);
      } else {
        pushColumns(li, k, paths.intern(e.path), EntryKind.write);
        o.writes.push(gid);
      }
    });
    ops.push(o);
  });
  paths.sortChildren();

  const N = paths.size;
  const parents = paths.parents;
  const children = paths.children;
  const count = new Uint32Array(N);
  const sum = new Float64Array(N);
  const min = new Float64Array(N).fill(-1);
  const contribute = (p: number, size: number) => {
    count[p]! += 1;
    sum[p]! += size;
    if (min[p]! < 0 || size < min[p]!) min[p] = size;
  };
  // dive stacks trees by grafting every node of the upper tree, implicit ones with an empty
  // FileInfo, so a directory last touched implicitly is "not a directory" when a later
  // whiteout of it is sized. Tracked to keep wastedBytes equal to dive's on such images.
  const diveDir = new Uint8Array(N);
  const ownStamp = new Int32Array(N).fill(-1);
  const childStamp = new Int32Array(N).fill(-1);
  const writeStamp = new Int32Array(N).fill(-1);
  const lastWrite = new Int32Array(N);
  const touchStamp = new Int32Array(N).fill(-1);
  const whiteoutSeen = new Int32Array(N).fill(-1);
  const opaqueSeen = new Int32Array(N).fill(-1);
  const problems: PathProblem[] = [];
  const touched: Int32Array[] = [];
  const removals: Removal[][] = [];
  const markers: Int32Array[] = [];

  const touchedTo: Int32Array[] = [];
  // One filesystem, changed layer by layer: `cur` after the changes so far, `prev(p)` what the
  // layers below left at p (the value `cur` had when this layer first changed p). A copy per
  // layer would cost layers × paths.
  const cur = new Int32Array(N).fill(-1);
  const was = new Int32Array(N);
  const prev = (p: number) => (touchStamp[p] === currentLayer ? was[p]! : cur[p]!);
  let currentLayer = -1;
  for (let li = 0; li < ops.length; li++) {
    currentLayer = li;
    const o = ops[li]!;
    const own: number[] = [];
    const touchedList: number[] = [];
    /** Marks p changed in this layer, keeping what it was below (call before changing `cur[p]`). */
    const touch = (p: number) => {
      if (touchStamp[p] !== li) {
        touchStamp[p] = li;
        was[p] = cur[p]!;
        touchedList.push(p);
      }
    };
    const addOwn = (start: number) => {
      for (let p = start; p > 0 && ownStamp[p] !== li; p = parents[p]!) {
        ownStamp[p] = li;
        own.push(p);
        childStamp[parents[p]!] = li;
      }
    };
    for (const g of o.writes) {
      const p = entryPath[g]!;
      writeStamp[p] = li;
      lastWrite[p] = g;
      addOwn(p);
    }
    for (const g of o.whiteouts) {
      const d = parents[entryPath[g]!]!;
      addOwn(d);
      childStamp[d] = li; // the marker itself is a child of its directory in dive's tree
    }
    for (const g of o.opaques) addOwn(entryPath[g]!);
    for (const g of o.metaDirs) addOwn(entryPath[g]!);

    // --- efficiency contributions, against the merged filesystem below this layer ---
    const subtreeSize = (t: number) => {
      let s = 0;
      paths.forSubtree(t, (x) => {
        const e = prev(x);
        if (e >= 0) s += entries[e]!.size;
      });
      return s;
    };
    const whiteoutSize = (t: number, problem: PathProblem['problem']): number => {
      if (prev(t) === -1) {
        problems.push({ layer: li, path: paths.paths[t]!, problem });
        return 0;
      }
      return diveDir[t] ? subtreeSize(t) : 0;
    };
    for (const p of own) {
      if (childStamp[p] === li) continue; // not a leaf of this layer's tree
      contribute(p, writeStamp[p] === li ? entries[lastWrite[p]!]!.size : 0);
    }
    // A marker repeated within a layer is one node of that layer's tree (as in dive): counting
    // or walking it once per copy would cost copies × subtree.
    const firstOf = (list: number[], seen: Int32Array) =>
      list.filter((g) => {
        const p = entryPath[g]!;
        if (seen[p] === li) return false;
        seen[p] = li;
        return true;
      });
    const layerWhiteouts = firstOf(o.whiteouts, whiteoutSeen);
    const layerOpaques = firstOf(o.opaques, opaqueSeen);
    for (const g of layerWhiteouts) contribute(entryPath[g]!, whiteoutSize(entryPath[g]!, 'whiteout-target-missing'));
    for (const g of layerOpaques) {
      const d = entryPath[g]!;
      for (const c of children[d]!) {
        if (prev(c) !== -1 && ownStamp[c] !== li) contribute(c, whiteoutSize(c, 'whiteout-target-missing'));
      }
    }

    // --- removals: opaque directories and whiteouts hide lower content ---
    const layerRemovals: Removal[] = [];
    const hide = (x: number) => {
      if (cur[x] !== -1) {
        touch(x);
        cur[x] = -1;
      }
    };
    for (const g of layerOpaques) {
      const d = entryPath[g]!;
      if (d !== 0 && prev(d) === -1) problems.push({ layer: li, path: paths.paths[d]!, problem: 'opaque-dir-missing' });
      for (const c of children[d]!) {
        if (cur[c] === -1) continue;
        layerRemovals.push({ path: c, via: 'opaque', markerDir: d });
        paths.forSubtree(c, hide);
      }
    }
    for (const g of layerWhiteouts) {
      const t = entryPath[g]!;
      if (cur[t] === -1) continue;
      layerRemovals.push({ path: t, via: 'whiteout', markerDir: parents[t]! });
      paths.forSubtree(t, hide);
    }

    // --- writes, in tar order (a later entry for the same path wins) ---
    for (const g of o.writes) {
      const p = entryPath[g]!;
      for (let a = parents[p]!; a > 0; a = parents[a]!) {
        const e = cur[a]!;
        if (e >= 0 && entries[e]!.type === 'dir') break;
        if (e >= 0) problems.push({ layer: li, path: paths.paths[p]!, problem: 'entry-under-non-directory' });
        const id = entries.length;
        entries.push(implicitDir(paths.paths[a]!));
        pushColumns(li, -1, a, EntryKind.implicit);
        touch(a);
        cur[a] = id;
      }
      const before = cur[p]!;
      touch(p);
      cur[p] = g;
      // A non-directory written where a directory was replaces it: the lower children go.
      if (before >= 0 && entries[before]!.type === 'dir' && entries[g]!.type !== 'dir') {
        for (const c of children[p]!) paths.forSubtree(c, hide);
      }
    }

    for (const p of own) diveDir[p] = writeStamp[p] === li && entries[lastWrite[p]!]!.type === 'dir' ? 1 : 0;

    const changed = Int32Array.from(touchedList.filter((p) => cur[p] !== was[p]));
    touched.push(changed);
    touchedTo.push(changed.map((p) => cur[p]!));
    removals.push(layerRemovals);
    markers.push(Int32Array.from([...o.whiteouts, ...o.opaques]));
  }
  currentLayer = -1;

  return {
    input,
    paths,
    entries,
    entryLayer: entryLayer.subarray(0, entries.length),
    entryLocal: entryLocal.subarray(0, entries.length),
    entryPath: entryPath.subarray(0, entries.length),
    entryKind: entryKind.subarray(0, entries.length),
    merged: new MergedViews(ops.length, N, touched, touchedTo, cur),
    touched,
    removals,
    markers,
    contributions: { count, sum, min },
    problems,
  };
}

/**
 * The groups of entries whose contents are compared with each other, so must have content
 * keys (`ContentKeys`) for `analyzeImage`: for each path, its regular files of equal non-zero size written
 * in more than one place (Modified vs Unmodified), and the final filesystem's regular files of
 * equal size (identical content at different paths). A key only has to tell members of the
 * same group apart. Returns global entry ids.
 */
export function selectHashGroups(index: ImageIndex, opts: { duplicates?: boolean } = {}): number[][] {
  const { entries, entryPath, entryKind } = index;
  const groups: number[][] = [];
  const byPath = new Map<number, number[]>();
  const firstAt = new Int32Array(index.paths.size).fill(-1);
  for (let g = 0; g < entries.length; g++) {
    const e = entries[g]!;
    if (entryKind[g] !== EntryKind.write || e.type !== 'file' || e.size === 0) continue;
    const p = entryPath[g]!;
    if (firstAt[p] === -1) {
      firstAt[p] = g;
      continue;
    }
    let list = byPath.get(p);
    if (!list) byPath.set(p, (list = [firstAt[p]!]));
    list.push(g);
  }
  for (const list of byPath.values()) groupBySize(entries, list, groups);
  if (opts.duplicates !== false && index.merged.layerCount > 0) {
    const last = index.merged.last;
    const live: number[] = [];
    for (let p = 1; p < last.length; p++) {
      const g = last[p]!;
      if (g >= 0 && entries[g]!.type === 'file' && entries[g]!.size > 0) live.push(g);
    }
    groupBySize(entries, live, groups);
  }
  return groups;
}

/** Every entry of every group of `selectHashGroups`, sorted. */
export function selectHashRequests(index: ImageIndex, opts: { duplicates?: boolean } = {}): number[] {
  return [...new Set(selectHashGroups(index, opts).flat())].sort((a, b) => a - b);
}

function groupBySize(entries: readonly LayerEntry[], ids: readonly number[], out: number[][]): void {
  const bySize = new Map<number, number[]>();
  for (const g of ids) {
    const s = entries[g]!.size;
    const l = bySize.get(s);
    if (l) l.push(g);
    else bySize.set(s, [g]);
  }
  for (const l of bySize.values()) if (l.length > 1) out.push(l);
}
