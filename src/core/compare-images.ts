import type { Analysis, LayerSummary, Reclaimable } from './analyze.js';
import { isContentDigest, type EntryType, type ImageIdentity, type LayerEntry } from './model.js';

/**
 * Comparing two images, OLD and NEW: layers aligned by diffID, the final merged filesystems
 * compared path by path, and the totals side by side. Pure: the bodies' digests it needs come
 * in as an argument (see `selectCrossDigests`).
 */

/** One row of the aligned layer list. */
export type AlignedLayer =
  /** In both images at the same position, part of the common base (same diffID chain). */
  | { readonly kind: 'shared'; readonly old: LayerSummary; readonly new: LayerSummary }
  /** Only in OLD after the shared base; `moved` when NEW has the same diffID at another position. */
  | { readonly kind: 'old-only'; readonly old: LayerSummary; readonly moved: boolean }
  /** Only in NEW after the shared base; `moved` when OLD has the same diffID at another position. */
  | { readonly kind: 'new-only'; readonly new: LayerSummary; readonly moved: boolean };

export type PathChange = 'added' | 'removed' | 'modified' | 'unchanged';

/** What differs between two versions of a path. */
export type ChangedAspect = 'type' | 'content' | 'link-target' | 'mode' | 'owner';

/** A path's entry as the comparison reports it. */
export type EntryFacts = {
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget?: string;
};

/** One path of the final filesystems that differs (or, for `unchanged`, does not). */
export type PathDiff = {
  /** Absolute: `/etc/passwd`. */
  readonly path: string;
  readonly change: PathChange;
  /** For `modified`: what differs. */
  readonly aspects: readonly ChangedAspect[];
  readonly old?: EntryFacts;
  readonly new?: EntryFacts;
  /** New size minus old size (a file's own size; a directory: the sum over its subtree). */
  readonly sizeDelta: number;
  /** The layer of NEW that last wrote the path (added or modified) or removed it (when NEW ever had it). */
  readonly newLayer?: number;
};

/** A figure of both images and its change (`new - old`). */
export type Side = { readonly old: number; readonly new: number; readonly delta: number };

export type ComparisonTotals = {
  readonly sizeBytes: Side;
  readonly compressedSizeBytes: Side;
  readonly fileCount: Side;
  readonly efficiency: Side;
  readonly wastedBytes: Side;
  readonly reclaimableBytes: Side;
  readonly layerCount: Side;
};

export type ImageComparison = {
  readonly old: { readonly identity: ImageIdentity; readonly reclaimable: Reclaimable };
  readonly new: { readonly identity: ImageIdentity; readonly reclaimable: Reclaimable };
  /** Layers in the shared base (the longest common prefix of diffIDs). */
  readonly sharedLayers: number;
  readonly layers: readonly AlignedLayer[];
  /** Every path that differs, directories first in path order; files carry their own delta. */
  readonly files: readonly PathDiff[];
  /** Paths present and equal in both. */
  readonly unchangedCount: number;
  /** The size delta of every path whose subtree (or own size) changed, by relative path (`usr/lib`). */
  readonly deltas: ReadonlyMap<string, number>;
  readonly totals: ComparisonTotals;
  /** True when nothing differs: same layers, same files. */
  readonly identical: boolean;
};

/** Where the body digests for cross-image comparison come from: hex sha256 by global entry id, per side. */
export type CrossDigests = { readonly old: (entryId: number) => string | undefined; readonly new: (entryId: number) => string | undefined };

/** The entries whose body digest the comparison needs and their analysis did not already have. */
export type DigestRequests = { readonly old: readonly number[]; readonly new: readonly number[] };

/** The longest common prefix of the two images' diffIDs. */
export function sharedBase(a: Analysis, b: Analysis): number {
  let n = 0;
  while (n < a.layers.length && n < b.layers.length && a.layers[n]!.diffId !== undefined && a.layers[n]!.diffId === b.layers[n]!.diffId) n++;
  return n;
}

/** Pairs of final entries at the same path that only a body digest can tell apart. */
function* contentPairs(a: Analysis, b: Analysis): Generator<{ path: string; ga: number; gb: number }> {
  const shared = sharedBase(a, b);
  const ta = a.tree;
  const tb = b.tree;
  const topA = a.layers.length - 1;
  const topB = b.layers.length - 1;
  for (let p = 1; p < ta.pathCount; p++) {
    const ga = ta.entryIdAt(topA, p);
    if (ga < 0) continue;
    const ea = ta.entry(ga);
    if (ea.type !== 'file' || ea.size === 0) continue;
    const path = ta.pathOf(p);
    const q = tb.find(path);
    if (q === undefined) continue;
    const gb = tb.entryIdAt(topB, q);
    if (gb < 0) continue;
    const eb = tb.entry(gb);
    if (eb.type !== 'file' || eb.size !== ea.size) continue;
    // Both visible entries come from the same entry of a shared layer: identical tars, so
    // identical bodies. Nothing to read.
    const oa = ta.originOf(ga);
    const ob = tb.originOf(gb);
    if (oa.layer < shared && oa.layer === ob.layer && oa.local === ob.local) continue;
    yield { path, ga, gb };
  }
}

/**
 * The bodies the comparison must hash: for each path whose final entries are regular files of
 * equal non-zero size in both images, unless both come from the same entry of the shared base
 * (identical by construction) or their analysis already knows the digest (`knownOld`/`knownNew`).
 */
export function selectCrossDigests(a: Analysis, b: Analysis, known: CrossDigests): DigestRequests {
  const old = new Set<number>();
  const neu = new Set<number>();
  for (const { ga, gb } of contentPairs(a, b)) {
    if (!isContentDigest(known.old(ga))) old.add(ga);
    if (!isContentDigest(known.new(gb))) neu.add(gb);
  }
  return { old: [...old], new: [...neu] };
}

function facts(e: LayerEntry): EntryFacts {
  return e.linkTarget === undefined
    ? { type: e.type, size: e.size, mode: e.mode, uid: e.uid, gid: e.gid }
    : { type: e.type, size: e.size, mode: e.mode, uid: e.uid, gid: e.gid, linkTarget: e.linkTarget };
}

function aspectsOf(a: LayerEntry, b: LayerEntry, sameContent: () => boolean): ChangedAspect[] {
  const out: ChangedAspect[] = [];
  if (a.type !== b.type) out.push('type');
  else if (a.type === 'file' && (a.size !== b.size || !sameContent())) out.push('content');
  else if ((a.type === 'symlink' || a.type === 'hardlink') && a.linkTarget !== b.linkTarget) out.push('link-target');
  else if ((a.type === 'char-device' || a.type === 'block-device') && (a.devMajor !== b.devMajor || a.devMinor !== b.devMinor)) out.push('content');
  if (a.mode !== b.mode) out.push('mode');
  if (a.uid !== b.uid || a.gid !== b.gid) out.push('owner');
  return out;
}

const side = (o: number, n: number): Side => ({ old: o, new: n, delta: n - o });
const compressed = (a: Analysis) => a.layers.reduce((s, l) => s + (l.compressedSizeBytes ?? 0), 0);

/**
 * Compares OLD (`a`) with NEW (`b`). Regular files of equal size are compared by body digest,
 * which `digests` must give for every entry `selectCrossDigests` named (or that was known);
 * a missing one is treated as different content only when the entries are not the same shared
 * entry. Directories get the summed size delta of their subtree.
 */
export function compareImages(a: Analysis, b: Analysis, digests: CrossDigests): ImageComparison {
  const shared = sharedBase(a, b);
  const posA = new Map<string, number>();
  const posB = new Map<string, number>();
  a.layers.forEach((l, i) => l.diffId && !posA.has(l.diffId) && posA.set(l.diffId, i));
  b.layers.forEach((l, i) => l.diffId && !posB.has(l.diffId) && posB.set(l.diffId, i));
  const layers: AlignedLayer[] = [];
  for (let i = 0; i < shared; i++) layers.push({ kind: 'shared', old: a.layers[i]!, new: b.layers[i]! });
  for (let i = shared; i < a.layers.length; i++) {
    const l = a.layers[i]!;
    layers.push({ kind: 'old-only', old: l, moved: l.diffId !== undefined && posB.has(l.diffId) });
  }
  for (let i = shared; i < b.layers.length; i++) {
    const l = b.layers[i]!;
    layers.push({ kind: 'new-only', new: l, moved: l.diffId !== undefined && posA.has(l.diffId) });
  }

  const ta = a.tree;
  const tb = b.tree;
  const topA = a.layers.length - 1;
  const topB = b.layers.length - 1;
  const sameShared = (ga: number, gb: number) => {
    const oa = ta.originOf(ga);
    const ob = tb.originOf(gb);
    return oa.layer < shared && oa.layer === ob.layer && oa.local === ob.local;
  };
  // Hot path: two 200k-path images that differ almost everywhere took ~2.9 s with a row object,
  // a Map entry and a string per ancestor for every path; the subtree sizes the trees already
  // memoize give every delta (new subtree size minus old), and only changed paths get a row.
  const sizesA = ta.treeSizes(topA);
  const sizesB = tb.treeSizes(topB);
  const seenB = new Uint8Array(tb.pathCount);
  const delta = new Map<string, number>();
  type Row = { path: string; change: PathChange; aspects: ChangedAspect[]; old?: LayerEntry; new?: LayerEntry; newLayer?: number; sizeDelta: number };
  const rows: Row[] = [];
  let unchanged = 0;
  for (let p = 1; p < ta.pathCount; p++) {
    const ga = ta.entryIdAt(topA, p);
    if (ga < 0) continue;
    const path = ta.pathOf(p);
    const q = tb.find(path);
    const gb = q === undefined ? -1 : tb.entryIdAt(topB, q);
    const ea = ta.entry(ga);
    const sizeDelta = (gb >= 0 ? sizesB[q!]! : 0) - sizesA[p]!;
    if (sizeDelta !== 0) delta.set(path, sizeDelta);
    if (gb < 0) {
      // The layer of NEW whose whiteout or opaque directory took it away, when NEW ever had it.
      const removedBy = q === undefined ? undefined : tb.fileHistory(q).findLast((e) => e.kind === 'removed')?.layer;
      rows.push({ path, change: 'removed', aspects: [], old: ea, newLayer: removedBy, sizeDelta });
      continue;
    }
    seenB[q!] = 1;
    const eb = tb.entry(gb);
    const aspects = aspectsOf(ea, eb, () => {
      if (sameShared(ga, gb)) return true;
      const da = digests.old(ga);
      const db = digests.new(gb);
      return da !== undefined && da === db;
    });
    if (aspects.length === 0) {
      unchanged++;
      continue;
    }
    rows.push({ path, change: 'modified', aspects, old: ea, new: eb, newLayer: tb.originOf(gb).layer, sizeDelta });
  }
  for (let q = 1; q < tb.pathCount; q++) {
    if (seenB[q]) continue;
    const gb = tb.entryIdAt(topB, q);
    if (gb < 0) continue;
    const path = tb.pathOf(q);
    const sizeDelta = sizesB[q]!;
    if (sizeDelta !== 0) delta.set(path, sizeDelta);
    rows.push({ path, change: 'added', aspects: [], new: tb.entry(gb), newLayer: tb.originOf(gb).layer, sizeDelta });
  }
  rows.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const files: PathDiff[] = rows.map((r) => ({
    path: `/${r.path}`,
    change: r.change,
    aspects: r.aspects,
    ...(r.old ? { old: facts(r.old) } : {}),
    ...(r.new ? { new: facts(r.new) } : {}),
    sizeDelta: r.sizeDelta,
    ...(r.newLayer !== undefined ? { newLayer: r.newLayer } : {}),
  }));

  const totals: ComparisonTotals = {
    sizeBytes: side(a.sizeBytes, b.sizeBytes),
    compressedSizeBytes: side(compressed(a), compressed(b)),
    fileCount: side(a.fileCount, b.fileCount),
    efficiency: side(a.efficiency, b.efficiency),
    wastedBytes: side(a.wastedBytes, b.wastedBytes),
    reclaimableBytes: side(a.reclaimable.totalBytes, b.reclaimable.totalBytes),
    layerCount: side(a.layers.length, b.layers.length),
  };
  return {
    old: { identity: a.identity, reclaimable: a.reclaimable },
    new: { identity: b.identity, reclaimable: b.reclaimable },
    sharedLayers: shared,
    layers,
    files,
    unchangedCount: unchanged,
    deltas: delta,
    totals,
    identical: files.length === 0 && shared === a.layers.length && shared === b.layers.length,
  };
}
