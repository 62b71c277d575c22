import type { Analysis } from './analyze.js';
import type { ImageComparison } from './compare-images.js';
import { Change, directoryChange, mergeChildChange, type ChangeCode, type FileTree } from './file-tree.js';
import type { LayerEntry } from './model.js';
import { PathTable } from './path-table.js';

/** The paths of a tree as views walk them (ids, names, parents, sorted children): what `FileTree` and `DiffTree` both offer. */
export type PathTree = Pick<FileTree, 'pathCount' | 'find' | 'pathOf' | 'nameOf' | 'parentOf' | 'childrenOf' | 'absolutePaths'>;

/**
 * The merged tree of a comparison: every path of OLD's and NEW's final filesystems, each with
 * its entry on either side and how it changed from OLD to NEW. A path's change is the
 * comparison's (added, removed, modified; none when equal); a directory's is merged from its
 * children as `FileTree.diffRange` merges a range's (`directoryChange`), so the tree of a
 * comparison reads like the tree of one layer's changes. Pure: built from the comparison and
 * the two analyses, never changed afterwards.
 */
export class DiffTree implements PathTree {
  private readonly paths = new PathTable();
  private readonly olds: readonly (LayerEntry | undefined)[];
  private readonly news: readonly (LayerEntry | undefined)[];
  private absolute: readonly string[] | undefined;
  /** Per path id: how the path changed from OLD to NEW (see `Change`). */
  readonly change: Uint8Array;
  /** Per path id: the layer of NEW that wrote (or removed) it, or -1. */
  readonly newLayerOf: Int32Array;
  /** Per path id: new size minus old size of the path's subtree. */
  readonly deltaOf: Float64Array;

  constructor(
    readonly comparison: ImageComparison,
    old: Analysis,
    neu: Analysis,
  ) {
    // Entries by DiffTree id; ids only grow, so the arrays are filled as paths are interned.
    const entriesOf = (a: Analysis): (LayerEntry | undefined)[] => {
      const out: (LayerEntry | undefined)[] = [];
      const t = a.tree;
      const top = a.layers.length - 1;
      for (let p = 1; top >= 0 && p < t.pathCount; p++) {
        const e = t.entryAt(top, p);
        if (e) out[this.paths.intern(t.pathOf(p))] = e;
      }
      return out;
    };
    const olds = entriesOf(old);
    const news = entriesOf(neu);
    this.paths.sortChildren();
    const N = this.paths.size;
    olds.length = N;
    news.length = N;
    this.olds = olds;
    this.news = news;

    const change = new Uint8Array(N);
    this.newLayerOf = new Int32Array(N).fill(-1);
    this.deltaOf = new Float64Array(N);
    for (const f of comparison.files) {
      const p = this.paths.find(f.path);
      if (p === undefined) continue;
      change[p] = f.change === 'added' ? Change.added : f.change === 'removed' ? Change.removed : f.change === 'modified' ? Change.modified : Change.none;
      if (f.newLayer !== undefined) this.newLayerOf[p] = f.newLayer;
    }
    for (const [rel, d] of comparison.deltas) {
      const p = this.paths.find(rel);
      if (p !== undefined) this.deltaOf[p] = d;
    }
    // Directories from their children. Ids are interned parent-first, so a reverse sweep
    // visits every child before its parent.
    const { children, parents } = this.paths;
    const kids = new Int8Array(N).fill(-1); // -1: no child seen; else the children's merged code
    for (let p = N - 1; p >= 1; p--) {
      if (children[p]!.length > 0 && kids[p] !== -1) change[p] = directoryChange(change[p]! as ChangeCode, kids[p]! as ChangeCode);
      const parent = parents[p]!;
      if (parent > 0 && (this.olds[p] || this.news[p])) kids[parent] = mergeChildChange(kids[parent]!, change[p]! as ChangeCode);
    }
    this.change = change;
  }

  /** Number of path ids (the root included). */
  get pathCount(): number {
    return this.paths.size;
  }

  /** The id of a relative path (`etc/passwd`), if either image has it. */
  find(path: string): number | undefined {
    return this.paths.find(path);
  }

  /** Relative path of an id: `usr/bin/sh` ('' for the root). */
  pathOf(pathId: number): string {
    return this.paths.paths[pathId]!;
  }

  /** `/`-prefixed path of every id, built once (filters and search test these). */
  absolutePaths(): readonly string[] {
    return (this.absolute ??= this.paths.paths.map((p) => `/${p}`));
  }

  /** Last component of a path. */
  nameOf(pathId: number): string {
    return this.paths.names[pathId]!;
  }

  /** Parent id; -1 for the root, 0 for top-level paths. */
  parentOf(pathId: number): number {
    return this.paths.parents[pathId]!;
  }

  /** Child ids, sorted by name. */
  childrenOf(pathId: number): readonly number[] {
    return this.paths.children[pathId]!;
  }

  /** The path's entry in OLD's final filesystem, if it has it. */
  oldEntry(pathId: number): LayerEntry | undefined {
    return this.olds[pathId];
  }

  /** The path's entry in NEW's final filesystem, if it has it. */
  newEntry(pathId: number): LayerEntry | undefined {
    return this.news[pathId];
  }

  /** The entry a view shows for a path: NEW's, or OLD's for a path NEW no longer has. */
  entryOf(pathId: number): LayerEntry | undefined {
    return this.news[pathId] ?? this.olds[pathId];
  }
}
