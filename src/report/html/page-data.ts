/**
 * The data an HTML report page carries, embedded as JSON and drawn by the page's own script.
 * Plain data only (no imports): the page script is compiled against these types too.
 *
 * Every string in it that came from an image (names, paths, commands, references, messages) was
 * passed through `escapeControl` and cut to a stated length before it got here; the page puts
 * strings into the document as text only, never as markup.
 *
 * Fields marked "when known" are absent when the tool does not know them (a section whose data
 * is absent is not shown): the owners of files and the packages come from the image's package
 * databases, the Dockerfile lines from a Dockerfile or the image's build provenance.
 */

/** Version of this shape; the page refuses data of another version. */
export const PAGE_DATA_VERSION = 1;

/** What a layer did to a path: added, modified (content, mode or owner), written again unchanged, removed. */
export const CHANGE_CODE = { added: 1, modified: 2, unmodified: 3, removed: 4 } as const;
export type ChangeCodeValue = (typeof CHANGE_CODE)[keyof typeof CHANGE_CODE];

/** Node kinds of a size tree. */
export const NODE_KIND = { dir: 0, file: 1, aggregate: 2 } as const;
export type NodeKindValue = (typeof NODE_KIND)[keyof typeof NODE_KIND];

/**
 * A size tree, column by column (node `i` is the i-th of every column; node 0 is the root, a
 * parent always comes before its children). Directories carry no bytes of their own: a
 * directory's area is the sum of its children's. Files below the aggregation threshold are
 * folded, per directory, into one `aggregate` node whose `count` says how many.
 */
export type SizeTree = {
  /** Display names (escaped, cut); the root's is ''. An aggregate's is ''; the page names it from `count`. */
  readonly name: readonly string[];
  /** Parent node; -1 for the root. */
  readonly parent: readonly number[];
  readonly kind: readonly NodeKindValue[];
  /** Bytes of a file or aggregate (0 for directories). */
  readonly bytes: readonly number[];
  /** For an aggregate: how many files it stands for; 0 otherwise. */
  readonly count: readonly number[];
  /** Files folded into aggregates are those of fewer bytes than this (0: none folded). */
  readonly threshold: number;
  /** Nodes the tree would have had without folding (files and directories with bytes). */
  readonly fullCount: number;
};

/** Per node of an image's size tree: who wrote it and what happened to it. */
export type ImageNodeFacts = {
  /** The layer that last wrote the file; for an aggregate, the layer that wrote most of its bytes; -1 for directories. */
  readonly layer: readonly number[];
  /**
   * What each layer did to the node, as flat triples `[layer, code, files]` (code: `CHANGE_CODE`;
   * `files`: how many of an aggregate's files, 1 for a file). `0` stands for the common case of a
   * file added once, by `layer`, and never touched again. Directories: `0`.
   */
  readonly events: readonly (readonly number[] | 0)[];
  /**
   * Bytes of earlier copies of the path (or of an aggregate's paths) that later layers
   * replaced: waste squashing would give back. 0 when none.
   */
  readonly waste: readonly number[];
  /** Index into `ImageView.owners` of the package that owns the file; -1 unknown or none. Absent when ownership is not known. */
  readonly owner?: readonly number[];
};

/** Where a layer's instruction is written, when known. */
export type SourceLine = { readonly file: string; readonly line: number; readonly endLine: number };

/** A path and its bytes, for the lists in the page. */
export type PathBytes = { readonly path: string; readonly bytes: number };

/** One layer of an image, as the layer list shows it. */
export type LayerView = {
  readonly index: number;
  /** The history step (escaped, cut). */
  readonly command: string;
  readonly sizeBytes: number;
  readonly compressedSizeBytes: number | null;
  readonly digest: string | null;
  readonly diffId: string | null;
  readonly created: string | null;
  readonly entryCount: number;
  readonly changes: { readonly added: number; readonly modified: number; readonly removed: number; readonly unmodified: number };
  /** The Dockerfile instruction that made the layer; null when not known. */
  readonly source: SourceLine | null;
  /** Files this layer removed that are not in the final filesystem (so not in the map), largest first, capped; with the total count and bytes. */
  readonly removed: { readonly count: number; readonly bytes: number; readonly top: readonly PathBytes[] };
  /** Files this layer wrote that a later layer removed (so not in the map), largest first, capped. */
  readonly goneLater: { readonly count: number; readonly bytes: number; readonly top: readonly PathBytes[] };
};

/** A finding (see the core's `Finding`), with the facts that are known about it. */
export type FindingView = {
  readonly kind: string;
  readonly title: string;
  readonly bytes: number;
  readonly survives: boolean;
  readonly layers: readonly { readonly index: number; readonly command: string; readonly source: SourceLine | null }[];
  readonly paths: readonly PathBytes[];
  readonly pathCount: number;
  readonly advice: string;
  /** The package manager the finding is about, when known. */
  readonly manager?: string;
  /** The packages that own its paths, when known. */
  readonly owners?: readonly string[];
  /** True when the bytes came from the base image, when known. */
  readonly fromBase?: boolean;
};

/** One package of the final filesystem, when the package databases are known. */
export type PackageView = {
  readonly manager: string;
  readonly name: string;
  readonly version: string;
  readonly layer: number;
  readonly files: number;
  readonly sizeBytes: number;
};

/** A rule's outcome. */
export type RuleView = { readonly name: string; readonly status: 'pass' | 'fail' | 'skip'; readonly threshold: number | null; readonly actual: number | null; readonly message: string; readonly offenders: readonly PathBytes[]; readonly offenderCount: number };

/** The figures of an image. */
export type ImageFigures = {
  readonly sizeBytes: number;
  readonly userSizeBytes: number;
  readonly fileCount: number;
  readonly efficiency: number;
  readonly wastedBytes: number;
  readonly userWastedPercent: number | null;
  readonly reclaimable: { readonly totalBytes: number; readonly overwrittenBytes: number; readonly deletedLaterBytes: number; readonly metadataOnlyBytes: number; readonly duplicateContentBytes: number };
};

/** Who an image is. */
export type IdentityView = { readonly reference: string; readonly source: string; readonly platform: string | null; readonly digest: string | null };

/** One analysed image. */
export type ImageView = {
  readonly kind: 'analysed';
  readonly identity: IdentityView;
  readonly figures: ImageFigures;
  /** What `paths.ignore` took out of the figures, when configured. */
  readonly ignored: { readonly paths: number; readonly bytes: number } | null;
  readonly layers: readonly LayerView[];
  /** The final filesystem's sizes and, per node, its facts. */
  readonly tree: SizeTree & ImageNodeFacts;
  /** Bytes of the final filesystem (the root's area). */
  readonly treeBytes: number;
  /** Package names (`manager name version`) indexed by `tree.owner`; absent when ownership is not known. */
  readonly owners?: readonly string[];
  readonly findings: readonly FindingView[];
  readonly findingCount: number;
  /** Largest first, capped; absent when the package databases are not known. */
  readonly packages?: readonly PackageView[];
  readonly packageCount?: number;
  /** Package databases that could not be read (`dpkg: var/lib/dpkg/status (L2) …`): their packages are missing from `packages`. */
  readonly packageNotes?: readonly string[];
  /** Absent when no rules were evaluated. */
  readonly rules?: readonly RuleView[];
  readonly inefficientFiles: readonly { readonly path: string; readonly count: number; readonly wastedBytes: number }[];
  readonly inefficientCount: number;
};

/** An image that could not be read. */
export type UnreadableView = { readonly kind: 'unreadable'; readonly reference: string; readonly message: string };

/** The page of a CI run: one image or several (a glob). */
export type ImagesPage = {
  readonly version: typeof PAGE_DATA_VERSION;
  readonly kind: 'images';
  readonly tool: string;
  readonly images: readonly (ImageView | UnreadableView)[];
};

/** Per node of a comparison's delta tree. */
export type DeltaNodeFacts = {
  /** New size minus old size of the file (for an aggregate, the sum); the area is its absolute value. */
  readonly delta: readonly number[];
  /** `CHANGE_CODE.added`, `.removed` or `.modified` for a file; for an aggregate, the one that covers most of its bytes; 0 for directories. */
  readonly change: readonly number[];
  /** The layer of NEW that wrote or removed the file; -1 when unknown or for directories and aggregates. */
  readonly newLayer: readonly number[];
};

/** One row of the aligned layer list of a comparison. */
export type AlignedLayerView = {
  readonly kind: 'shared' | 'old-only' | 'new-only';
  readonly moved: boolean;
  readonly old: { readonly index: number; readonly command: string; readonly sizeBytes: number; readonly source: SourceLine | null } | null;
  readonly new: { readonly index: number; readonly command: string; readonly sizeBytes: number; readonly source: SourceLine | null } | null;
};

/** A changed path of a comparison. */
export type ChangedPathView = {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  readonly aspects: readonly string[];
  readonly oldSize: number | null;
  readonly newSize: number | null;
  readonly delta: number;
  readonly newLayer: number | null;
};

/**
 * A package that differs between the images, when the package databases are known. `changed`:
 * another version or other bytes (a comparison of two package lists); with the comparison's own
 * package differences, as `diff --json` names them: `upgraded` or `downgraded` by the manager's
 * version order, `version-changed` when no order is known, `changed` for the same version with
 * other files.
 */
export type PackageChangeView = {
  readonly manager: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed' | 'upgraded' | 'downgraded' | 'version-changed';
  readonly oldVersion: string | null;
  readonly newVersion: string | null;
  readonly sizeDelta: number;
};

/** The page of `inspect-tui diff`. */
export type ComparisonPage = {
  readonly version: typeof PAGE_DATA_VERSION;
  readonly kind: 'comparison';
  readonly tool: string;
  readonly old: IdentityView;
  readonly new: IdentityView;
  readonly identical: boolean;
  /** Figures side by side: old, new, delta. */
  readonly totals: readonly { readonly key: string; readonly label: string; readonly unit: 'bytes' | 'count' | 'ratio'; readonly old: number; readonly new: number; readonly delta: number }[];
  readonly sharedLayers: number;
  readonly layers: readonly AlignedLayerView[];
  /** Changed files by absolute size delta (largest first), capped; directories left out. */
  readonly changes: readonly ChangedPathView[];
  readonly changeCounts: { readonly added: number; readonly removed: number; readonly modified: number; readonly unchanged: number };
  /** The size deltas as a tree (area: the absolute delta). */
  readonly tree: SizeTree & DeltaNodeFacts;
  readonly treeBytes: number;
  readonly packages?: readonly PackageChangeView[];
  readonly packageCount?: number;
  readonly rules?: readonly RuleView[];
};

/** Everything a report page can show. */
export type PageData = ImagesPage | ComparisonPage;
