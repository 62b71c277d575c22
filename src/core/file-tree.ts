import { compareEntries, type EntryDelta } from './compare.js';
import { EntryKind, type ImageIndex } from './index-image.js';
import type { ContentKeys, LayerEntry } from './model.js';

/**
 * How a path differs between two merged filesystems. `unmodified` means written again,
 * identical (dive's Unmodified); `none` means not touched in the range.
 */
export const Change = { none: 0, added: 1, removed: 2, modified: 3, unmodified: 4 } as const;
export type ChangeCode = (typeof Change)[keyof typeof Change];

export type FileEvent = {
  readonly layer: number;
  readonly kind: 'added' | 'modified' | 'metadata' | 'unmodified' | 'removed';
  /** The entry after the layer (absent when removed). */
  readonly entry?: LayerEntry;
  /** How it was removed, when removed: by a whiteout or opaque directory at `markerPath`. */
  readonly removedVia?: { readonly via: 'whiteout' | 'opaque' | 'replaced'; readonly markerPath: string };
};

/**
 * A directory's change from its own (`own`, its entry's) and its children's (`kids`, merged by
 * `mergeChildChange`), as dive merges them: every node starts unmodified and takes its
 * children's kind when they agree with it, modified otherwise; a new or deleted directory is
 * that, whatever is under it; nothing touched stays none.
 */
export function directoryChange(own: ChangeCode, kids: ChangeCode): ChangeCode {
  if (own === Change.added || own === Change.removed) return own;
  if (own === Change.none && kids === Change.none) return Change.none;
  const ownAsDive = own === Change.none ? Change.unmodified : own;
  const kidsAsDive = kids === Change.none ? Change.unmodified : kids;
  return ownAsDive === kidsAsDive ? ownAsDive : Change.modified;
}

/** The children's change so far (-1: no child seen yet) merged with one more child's: the one code they share, else modified. */
export function mergeChildChange(sofar: number, child: ChangeCode): ChangeCode {
  return sofar === -1 || sofar === child ? child : Change.modified;
}

/** What hid a path: the layer, and the whiteout or opaque directory. */
export type Hidden = { readonly layer: number; readonly via: 'whiteout' | 'opaque'; readonly markerDir: number; readonly root: number };

/** Where an entry came from: its layer and its index in that layer's entries (-1 for an implied directory). */
export type EntryOrigin = { readonly layer: number; readonly local: number };

/**
 * The merged filesystems of one analysed image, as the views need them: paths by id (0 is the
 * root), the entry visible at each path after each layer, and the diff, sizes and whiteouts of
 * any range of layers. Views go through these methods, never through the index's columns.
 *
 * Every derived array is memoized on this object (per range or per layer), so moving the
 * cursor never recomputes one, and two analyses — two images being compared — never share or
 * evict each other's results. Returned arrays are shared: callers must not write to them.
 */
export class FileTree {
  // Memos per range or layer, each array one slot per path: the most recently used few are
  // kept (a 200k-path image held 20 layers' sizes, 32 MiB, once every layer had been visited).
  private readonly diffs = new Map<string, Uint8Array>();
  private readonly sizes = new Map<number, Float64Array>();
  private readonly hidden = new Map<string, Map<number, Hidden>>();
  private readonly views = new Map<string, unknown>();
  private order: Int32Array | undefined;
  private absolute: readonly string[] | undefined;

  constructor(
    /** The core's index; views use the methods below. */
    readonly index: ImageIndex,
    private readonly keys: ContentKeys,
  ) {}

  /** Number of path ids (the root included). */
  get pathCount(): number {
    return this.index.paths.size;
  }

  /** Number of layers. */
  get layerCount(): number {
    return this.index.merged.layerCount;
  }

  /** The id of a relative path (`etc/passwd`), if any layer has it. */
  find(path: string): number | undefined {
    return this.index.paths.find(path);
  }

  /** Relative path of an id: `usr/bin/sh` ('' for the root). */
  pathOf(pathId: number): string {
    return this.index.paths.paths[pathId]!;
  }

  /** `/`-prefixed path of every id, built once (filters and search test these). */
  absolutePaths(): readonly string[] {
    return (this.absolute ??= this.index.paths.paths.map((p) => `/${p}`));
  }

  /** Last component of a path. */
  nameOf(pathId: number): string {
    return this.index.paths.names[pathId]!;
  }

  /** Parent id; -1 for the root, 0 for top-level paths. */
  parentOf(pathId: number): number {
    return this.index.paths.parents[pathId]!;
  }

  /** Child ids, sorted by name. */
  childrenOf(pathId: number): readonly number[] {
    return this.index.paths.children[pathId]!;
  }

  /** Number of components (top-level paths: 1). */
  depthOf(pathId: number): number {
    return this.index.paths.depths[pathId]!;
  }

  isAncestorOrSelf(ancestor: number, pathId: number): boolean {
    return this.index.paths.isAncestorOrSelf(ancestor, pathId);
  }

  /** Calls `fn` for a path and every path under it. */
  forSubtree(pathId: number, fn: (id: number) => void): void {
    this.index.paths.forSubtree(pathId, fn);
  }

  /** The global id of the entry visible at a path after `layer`; -1 when absent (and for layer -1, the empty image). */
  entryIdAt(layer: number, pathId: number): number {
    return this.index.merged.at(layer, pathId);
  }

  /**
   * The entry id at every path after `layer` (-1: absent), as `entryIdAt` gives them one by
   * one, for a sweep over every path. Shared: do not change it.
   */
  entryIdsAt(layer: number): Int32Array {
    return layer < 0 ? this.none() : this.index.merged.view(layer);
  }

  private empty: Int32Array | undefined;
  private none(): Int32Array {
    return (this.empty ??= new Int32Array(this.pathCount).fill(-1));
  }

  /** The entry visible at a path after `layer`, if any. */
  entryAt(layer: number, pathId: number): LayerEntry | undefined {
    const g = this.entryIdAt(layer, pathId);
    return g >= 0 ? this.index.entries[g] : undefined;
  }

  /** An entry by global id. */
  entry(entryId: number): LayerEntry {
    return this.index.entries[entryId]!;
  }

  /** The layer an entry belongs to and its index among that layer's entries. */
  originOf(entryId: number): EntryOrigin {
    return { layer: this.index.entryLayer[entryId]!, local: this.index.entryLocal[entryId]! };
  }

  /** True when the entry visible at a path after `layer` is a directory a layer implied without an entry. */
  isImplicitAt(layer: number, pathId: number): boolean {
    const g = this.entryIdAt(layer, pathId);
    return g >= 0 && this.index.entryKind[g] === EntryKind.implicit;
  }

  /** The content key of an entry (see `ContentKeys`): a body's sha256, a token unique to the entry, or undefined where nothing compared it. */
  contentKey(entryId: number): string | undefined {
    return this.keys[entryId];
  }

  /** How a later entry relates to an earlier one at the same path. */
  compare(before: number, after: number): EntryDelta {
    const { entries } = this.index;
    return compareEntries(entries[before]!, entries[after]!, this.keys[before], this.keys[after]);
  }

  /**
   * A view-side memo on this analysis: `make` runs once per key, later calls return its value.
   * For views that derive their own structures (tree indexes, row caches) and must keep them
   * per analysis.
   */
  memo<T>(key: string, make: () => T): T {
    if (this.views.has(key)) return this.views.get(key) as T;
    const v = make();
    this.views.set(key, v);
    return v;
  }

  /**
   * The diff from the merged filesystem at `base` to the one at `top`, per path id (`base` -1
   * is the empty image: the aggregated view). A file's code comes from its entries; a
   * directory's from its children, as in dive: the same code when all agree, otherwise
   * modified. Memoized per range.
   */
  diffRange(base: number, top: number): Uint8Array {
    const key = `${base}:${top}`;
    const hit = recall(this.diffs, key);
    if (hit) return hit;
    const { paths, merged } = this.index;
    const N = paths.size;
    const b = base < 0 ? undefined : merged.view(base);
    const t = top < 0 ? undefined : merged.view(top);
    const out = new Uint8Array(N);
    for (let p = 1; p < N; p++) {
      const eb = b ? b[p]! : -1;
      const et = t ? t[p]! : -1;
      if (eb === et) continue;
      if (eb < 0) out[p] = Change.added;
      else if (et < 0) out[p] = Change.removed;
      else out[p] = this.compare(eb, et) === 'same' ? Change.unmodified : Change.modified;
    }
    // Directories from their children, deepest first (a reverse sweep of the depth order
    // visits children before parents).
    const order = this.depthOrder();
    const childAgg = new Int8Array(N).fill(-1); // -1: no child seen; else merged child code
    for (let k = order.length - 1; k >= 0; k--) {
      const p = order[k]!;
      if (paths.children[p]!.length > 0 && childAgg[p] !== -1) out[p] = directoryChange(out[p]! as ChangeCode, childAgg[p]! as ChangeCode);
      const parent = paths.parents[p]!;
      // Only children that exist on either side count.
      if (parent > 0 && ((b && b[p]! >= 0) || (t && t[p]! >= 0))) childAgg[parent] = mergeChildChange(childAgg[parent]!, out[p]! as ChangeCode);
    }
    keep(this.diffs, key, out, 16);
    return out;
  }

  /** Path ids sorted by depth (parents before children), the root left out. */
  depthOrder(): Int32Array {
    if (this.order) return this.order;
    // Counting sort by depth: linear, where a comparator sort of 200k ids took ~50 ms.
    const { depths } = this.index.paths;
    let maxDepth = 0;
    for (let i = 1; i < depths.length; i++) if (depths[i]! > maxDepth) maxDepth = depths[i]!;
    const start = new Int32Array(maxDepth + 2);
    for (let i = 1; i < depths.length; i++) start[depths[i]! + 1]!++;
    for (let d = 1; d < start.length; d++) start[d]! += start[d - 1]!;
    const o = new Int32Array(depths.length - 1);
    for (let i = 1; i < depths.length; i++) o[start[depths[i]!]!++] = i;
    return (this.order = o);
  }

  /** Bytes under each path in the merged filesystem at `layer` (a file: its size). Memoized. */
  treeSizes(layer: number): Float64Array {
    const hit = recall(this.sizes, layer);
    if (hit) return hit;
    const { paths, entries } = this.index;
    const m = this.index.merged.view(layer);
    const out = new Float64Array(paths.size);
    const order = this.depthOrder();
    for (let k = order.length - 1; k >= 0; k--) {
      const p = order[k]!;
      const e = m[p]!;
      if (e < 0) continue;
      out[p]! += entries[e]!.size;
      out[paths.parents[p]!]! += out[p]!;
    }
    keep(this.sizes, layer, out, 6);
    return out;
  }

  /**
   * Every layer that changed a path: added, content modified, metadata only (chmod/chown),
   * written again unchanged, or removed (and how). Copy-on-write made visible.
   */
  fileHistory(pathId: number): FileEvent[] {
    const { merged, entries, removals, paths } = this.index;
    const events: FileEvent[] = [];
    let prev = -1;
    const changes = merged.changesOf(pathId);
    for (let k = 0; k < changes.layers.length; k++) {
      const li = changes.layers[k]!;
      const cur = changes.entries[k]!;
      if (cur === prev) continue;
      if (cur < 0) {
        const r = removals[li]!.find((x) => paths.isAncestorOrSelf(x.path, pathId));
        events.push({
          layer: li,
          kind: 'removed',
          removedVia: r ? { via: r.via, markerPath: `/${paths.paths[r.markerDir]!}` } : { via: 'replaced', markerPath: `/${paths.paths[pathId]!}` },
        });
      } else if (prev < 0) {
        events.push({ layer: li, kind: 'added', entry: entries[cur]! });
      } else {
        const d = this.compare(prev, cur);
        events.push({ layer: li, kind: d === 'content' ? 'modified' : d === 'metadata' ? 'metadata' : 'unmodified', entry: entries[cur]! });
      }
      prev = cur;
    }
    return events;
  }

  /**
   * For the range (base, top]: every path present at `base` (or in any layer of the range) that
   * a whiteout or opaque directory of a layer in the range hid, with that layer. The topmost
   * hidden path of each removal is the `root`; its descendants map to the same record. Memoized
   * per range.
   */
  hiddenInRange(base: number, top: number): Map<number, Hidden> {
    const key = `${base}:${top}`;
    const hit = recall(this.hidden, key);
    if (hit) return hit;
    const out = new Map<number, Hidden>();
    const { removals, paths, merged } = this.index;
    for (let li = Math.max(0, base + 1); li <= top; li++) {
      for (const r of removals[li]!) {
        const rec: Hidden = { layer: li, via: r.via, markerDir: r.markerDir, root: r.path };
        paths.forSubtree(r.path, (x) => {
          if (merged.at(li - 1, x) >= 0) out.set(x, rec);
        });
      }
    }
    keep(this.hidden, key, out, 8);
    return out;
  }
}

/** A memo's value, now the most recently used. */
function recall<K, V>(m: Map<K, V>, key: K): V | undefined {
  const v = m.get(key);
  if (v !== undefined) {
    m.delete(key);
    m.set(key, v);
  }
  return v;
}

/** Keeps a memo's value, dropping the least recently used beyond `most`. */
function keep<K, V>(m: Map<K, V>, key: K, v: V, most: number): void {
  m.set(key, v);
  for (const k of m.keys()) {
    if (m.size <= most) break;
    m.delete(k);
  }
}
