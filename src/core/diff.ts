import type { Analysis } from './analyze.js';
import { compareEntries, type EntryDelta } from './compare.js';
import { EntryKind } from './index-image.js';
import type { LayerEntry } from './model.js';

/**
 * How a path differs between two merged filesystems. `unmodified` means written again,
 * identical (dive's Unmodified); `none` means not touched in the range.
 */
export const Change = { none: 0, added: 1, removed: 2, modified: 3, unmodified: 4 } as const;
export type ChangeCode = (typeof Change)[keyof typeof Change];

const diffMemo = new WeakMap<Analysis, Map<string, Uint8Array>>();
const sizeMemo = new WeakMap<Analysis, Map<number, Float64Array>>();
const hiddenMemo = new WeakMap<Analysis, Map<string, Map<number, Hidden>>>();

function memo<K, V>(m: WeakMap<Analysis, Map<K, V>>, a: Analysis): Map<K, V> {
  let x = m.get(a);
  if (!x) m.set(a, (x = new Map()));
  return x;
}

/** The merged view after `layer`, or an empty one for layer -1. */
function mergedAt(a: Analysis, layer: number): Int32Array | undefined {
  return layer < 0 ? undefined : a.index.merged[layer];
}

/**
 * The diff from the merged filesystem at `base` to the one at `top`, per path id (`base` -1
 * is the empty image: the aggregated view). A file's code comes from its entries; a
 * directory's from its children, as in dive: the same code when all agree, otherwise
 * modified. Memoized per range, so moving the cursor never recomputes it.
 */
export function diffRange(a: Analysis, base: number, top: number): Uint8Array {
  const key = `${base}:${top}`;
  const cache = memo(diffMemo, a);
  const hit = cache.get(key);
  if (hit) return hit;
  const { paths, entries } = a.index;
  const N = paths.size;
  const b = mergedAt(a, base);
  const t = mergedAt(a, top);
  const out = new Uint8Array(N);
  for (let p = 1; p < N; p++) {
    const eb = b ? b[p]! : -1;
    const et = t ? t[p]! : -1;
    if (eb === et) continue;
    if (eb < 0) out[p] = Change.added;
    else if (et < 0) out[p] = Change.removed;
    else out[p] = compareEntries(entries[eb]!, entries[et]!) === 'same' ? Change.unmodified : Change.modified;
  }
  // Directories from their children, deepest first (ids are created parent-first, so a
  // reverse sweep by depth visits children before parents).
  const order = depthOrder(a);
  const childAgg = new Int8Array(N).fill(-1); // -1: no child seen; else merged child code
  for (let k = order.length - 1; k >= 0; k--) {
    const p = order[k]!;
    if (paths.children[p]!.length > 0 && childAgg[p] !== -1) {
      const own = out[p]!;
      const kids = childAgg[p]! as ChangeCode;
      // dive: every node starts Unmodified and merges with its children's types.
      const ownAsDive = own === Change.none ? Change.unmodified : own;
      const kidsAsDive = kids === Change.none ? Change.unmodified : kids;
      let m: ChangeCode = ownAsDive === kidsAsDive ? ownAsDive : Change.modified;
      if (own === Change.none && kids === Change.none) m = Change.none;
      if (own === Change.added || own === Change.removed) m = own; // a new or deleted directory is that, whatever is under it
      out[p] = m;
    }
    const parent = paths.parents[p]!;
    if (parent > 0) {
      // Only children that exist on either side count.
      const present = (b && b[p]! >= 0) || (t && t[p]! >= 0);
      if (present) {
        const c = out[p]!;
        const cur = childAgg[parent]!;
        childAgg[parent] = cur === -1 ? c : cur === c ? c : Change.modified;
      }
    }
  }
  cache.set(key, out);
  return out;
}

const orderMemo = new WeakMap<Analysis, Int32Array>();
/** Path ids sorted by depth (parents before children). */
function depthOrder(a: Analysis): Int32Array {
  let o = orderMemo.get(a);
  if (o) return o;
  // Counting sort by depth: linear, where a comparator sort of 200k ids took ~50 ms.
  const { depths } = a.index.paths;
  let maxDepth = 0;
  for (let i = 1; i < depths.length; i++) if (depths[i]! > maxDepth) maxDepth = depths[i]!;
  const start = new Int32Array(maxDepth + 2);
  for (let i = 1; i < depths.length; i++) start[depths[i]! + 1]!++;
  for (let d = 1; d < start.length; d++) start[d]! += start[d - 1]!;
  o = new Int32Array(depths.length - 1);
  for (let i = 1; i < depths.length; i++) o[start[depths[i]!]!++] = i;
  orderMemo.set(a, o);
  return o;
}

/** Bytes under each path in the merged filesystem at `layer` (a file: its size). Memoized. */
export function treeSizes(a: Analysis, layer: number): Float64Array {
  const cache = memo(sizeMemo, a);
  const hit = cache.get(layer);
  if (hit) return hit;
  const { paths, entries } = a.index;
  const m = a.index.merged[layer]!;
  const out = new Float64Array(paths.size);
  const order = depthOrder(a);
  for (let k = order.length - 1; k >= 0; k--) {
    const p = order[k]!;
    const e = m[p]!;
    if (e < 0) continue;
    out[p]! += entries[e]!.size;
    out[paths.parents[p]!]! += out[p]!;
  }
  cache.set(layer, out);
  return out;
}

/** The entry visible at a path after `layer`, if any. */
export function entryAt(a: Analysis, layer: number, pathId: number): LayerEntry | undefined {
  const e = a.index.merged[layer]?.[pathId] ?? -1;
  return e >= 0 ? a.index.entries[e] : undefined;
}

/** True when the entry visible at a path after `layer` is a directory a layer implied without an entry. */
export function isImplicitAt(a: Analysis, layer: number, pathId: number): boolean {
  const e = a.index.merged[layer]?.[pathId] ?? -1;
  return e >= 0 && a.index.entryKind[e] === EntryKind.implicit;
}

export type FileEvent = {
  readonly layer: number;
  readonly kind: 'added' | 'modified' | 'metadata' | 'unmodified' | 'removed';
  /** The entry after the layer (absent when removed). */
  readonly entry?: LayerEntry;
  /** How it was removed, when removed: by a whiteout or opaque directory at `markerPath`. */
  readonly removedVia?: { readonly via: 'whiteout' | 'opaque' | 'replaced'; readonly markerPath: string };
  readonly command: string;
};

/**
 * Every layer that changed a path: added, content modified, metadata only (chmod/chown),
 * written again unchanged, or removed (and how). Copy-on-write made visible.
 */
export function fileHistory(a: Analysis, pathId: number): FileEvent[] {
  const { merged, entries, removals, paths } = a.index;
  const events: FileEvent[] = [];
  let prev = -1;
  for (let li = 0; li < merged.length; li++) {
    const cur = merged[li]![pathId]!;
    if (cur === prev) continue;
    const command = a.layers[li]!.command;
    if (cur < 0) {
      const r = removals[li]!.find((x) => paths.isAncestorOrSelf(x.path, pathId));
      events.push({
        layer: li,
        kind: 'removed',
        removedVia: r
          ? { via: r.via, markerPath: `/${paths.paths[r.markerDir]!}` }
          : { via: 'replaced', markerPath: `/${paths.paths[pathId]!}` },
        command,
      });
    } else if (prev < 0) {
      events.push({ layer: li, kind: 'added', entry: entries[cur]!, command });
    } else {
      const d: EntryDelta = compareEntries(entries[prev]!, entries[cur]!);
      events.push({ layer: li, kind: d === 'content' ? 'modified' : d === 'metadata' ? 'metadata' : 'unmodified', entry: entries[cur]!, command });
    }
    prev = cur;
  }
  return events;
}

/** What hid a path: the layer, and the whiteout or opaque directory. */
export type Hidden = { readonly layer: number; readonly via: 'whiteout' | 'opaque'; readonly markerDir: number; readonly root: number };

/**
 * Memoized per range. For the range (base, top]: every path present at `base` (or in any layer of the range) that
 * a whiteout or opaque directory of a layer in the range hid, with that layer. The topmost
 * hidden path of each removal is the `root`; its descendants map to the same record.
 */
export function hiddenInRange(a: Analysis, base: number, top: number): Map<number, Hidden> {
  const cache = memo(hiddenMemo, a);
  const key = `${base}:${top}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Map<number, Hidden>();
  const { removals, paths, merged } = a.index;
  for (let li = Math.max(0, base + 1); li <= top; li++) {
    const below = li === 0 ? undefined : merged[li - 1]!;
    for (const r of removals[li]!) {
      const rec: Hidden = { layer: li, via: r.via, markerDir: r.markerDir, root: r.path };
      paths.forSubtree(r.path, (x) => {
        if (below && below[x]! >= 0) out.set(x, rec);
      });
    }
  }
  cache.set(key, out);
  return out;
}
