import type { Analysis } from '../core/index.js';
import type { ImageComparison } from '../core/index.js';
import type { ImageSources } from '../provenance/index.js';
import { DiffTree, type PathTree } from '../core/index.js';
import type { ImagePackages, Package, PackageDiff } from '../packages/index.js';
import type { HistoryRow } from './file-history.js';
import type { ComparisonTreeQuery, ImageTreeQuery, TreeIndex } from './tree-index.js';

/**
 * What the inspector shows, beside the state: one image, or the comparison of two. The reducer
 * and every selector take it and switch on `kind`, so the compiler lists each place that must
 * handle both. Each kind carries the caches its screens fill (typed, held by whoever holds
 * the view, dropped with it).
 */
export type ViewData = ImageView | ComparisonView;

/** One image: its analysis. */
export type ImageView = {
  readonly kind: 'image';
  readonly analysis: Analysis;
  /** Which Dockerfile line made each layer, when known (layer details shows it). */
  readonly sources: ImageSources | null;
  /** What the image's package databases say; undefined when they were not read (`--no-packages`) or not yet (`packagesPending`). */
  readonly packages: ImagePackages | undefined;
  /** The package databases are being read: what depends on them says so until they are (a new view then carries them). */
  readonly packagesPending: boolean;
  /** Diff kinds get a symbol column (+ - ~ x): on under NO_COLOR. */
  readonly symbols: boolean;
  readonly caches: {
    /** The file tree pane: a small LRU of tree indexes, by query. */
    readonly tree: Map<string, TreeIndex<ImageTreeQuery>>;
    /** The file history panel: every layer that touched a path, by path id. */
    readonly history: Map<number, readonly HistoryRow[]>;
    /** The packages pane: the packages as a layer's filesystem has them (`ImagePackages.packagesAt`), by layer. */
    readonly packagesAt: Map<number, readonly Package[]>;
  };
};

/** Both images' packages and the ones that differ, in a comparison whose images' databases were read. */
export type ComparisonPackages = { readonly old: ImagePackages; readonly new: ImagePackages; readonly diff: readonly PackageDiff[] };

/** Two images compared: both analyses, and the merged tree of what changed from OLD to NEW. */
export type ComparisonView = {
  readonly kind: 'comparison';
  readonly old: Analysis;
  readonly new: Analysis;
  /** Every path of both images with how it changed; `diff.comparison` is the comparison itself. */
  readonly diff: DiffTree;
  /** The packages that differ, and each side's; undefined when they were not read. */
  readonly packages: ComparisonPackages | undefined;
  readonly symbols: boolean;
  readonly caches: {
    /** The file tree pane: a small LRU of tree indexes, by query. */
    readonly tree: Map<string, TreeIndex<ComparisonTreeQuery>>;
  };
};

/** Display options of a view. */
export type ViewOptions = { readonly symbols?: boolean };

/**
 * The view of one image, with empty caches; `sources` are its Dockerfile lines, when known, and
 * `packages` what its package databases say, when read.
 */
export function imageView(analysis: Analysis, opts: ViewOptions & { readonly sources?: ImageSources | null; readonly packages?: ImagePackages; readonly packagesPending?: boolean } = {}): ImageView {
  return { kind: 'image', analysis, sources: opts.sources ?? null, packages: opts.packages, packagesPending: opts.packagesPending ?? false, symbols: opts.symbols ?? false, caches: { tree: new Map(), history: new Map(), packagesAt: new Map() } };
}

/** The same view with its packages read (`packagesPending` over), keeping its caches: the tree's indexes stay. */
export function withPackages(d: ImageView, packages: ImagePackages | undefined): ImageView {
  return { ...d, packages, packagesPending: false, caches: { ...d.caches, packagesAt: new Map() } };
}

/** The view of a comparison of OLD with NEW (builds its merged tree), with empty caches. */
export function comparisonView(comparison: ImageComparison, old: Analysis, neu: Analysis, opts: ViewOptions & { readonly packages?: ComparisonPackages } = {}): ComparisonView {
  return { kind: 'comparison', old, new: neu, diff: new DiffTree(comparison, old, neu), packages: opts.packages, symbols: opts.symbols ?? false, caches: { tree: new Map() } };
}

/** The paths the file tree walks: the image's, or both images' in a comparison. */
export function pathsOf(d: ViewData): PathTree {
  switch (d.kind) {
    case 'image':
      return d.analysis.tree;
    case 'comparison':
      return d.diff;
  }
}

/** How many rows the layer list has: the image's layers, or in a comparison "all changes" and the aligned layers. */
export function layerRowCount(d: ViewData): number {
  switch (d.kind) {
    case 'image':
      return d.analysis.layers.length;
    case 'comparison':
      return d.diff.comparison.layers.length + 1;
  }
}
