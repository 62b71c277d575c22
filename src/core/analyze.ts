import { compareEntries } from './compare.js';
import { FileTree } from './file-tree.js';
import { findFindings, type Finding, type FindingsOptions } from './findings.js';
import { mapHistory, type HistoryItem } from './history.js';
import { EntryKind, type ImageIndex, type PathProblem } from './index-image.js';
import { isUniqueContentKey, type ContentKeys, type Digest, type ImageConfig, type ImageIdentity } from './model.js';

/** Counts of non-directory paths a layer added, modified, removed or wrote again unchanged. */
export type ChangeCounts = { added: number; modified: number; removed: number; unmodified: number };

export type LayerSummary = {
  readonly index: number;
  readonly digest?: Digest;
  readonly diffId?: Digest;
  readonly mediaType?: string;
  /** Size of the blob as stored, when the source knows it. */
  readonly compressedSizeBytes?: number;
  /** Σ of the header sizes of the layer's entries (dive's layer size). */
  readonly sizeBytes: number;
  /** The history step that made this layer, cleaned (`RUN apk add x`). */
  readonly command: string;
  readonly createdBy?: string;
  readonly created?: string;
  readonly comment?: string;
  readonly entryCount: number;
  readonly changes: ChangeCounts;
};

export type InefficientFile = {
  /** Absolute path: `/var/cache/x`. */
  readonly path: string;
  /** Number of contributions (layers that wrote or whited out the path). */
  readonly count: number;
  /** Σ of the contributions, dive's "wasted space" for the path (it counts the surviving copy too). */
  readonly wastedBytes: number;
};

/**
 * Bytes that squashing (or de-duplicating) would reclaim, split by why they are there. Unlike
 * dive's wastedBytes, the surviving copy is never counted.
 */
export type Reclaimable = {
  /** Earlier copies of files a later layer wrote again with different content. */
  readonly overwrittenBytes: number;
  /** Files a later layer deleted (whiteout, opaque directory, replaced directory). */
  readonly deletedLaterBytes: number;
  /** Earlier copies of files rewritten with identical content (a `chown -R` or `chmod` layer). */
  readonly metadataOnlyBytes: number;
  /** In the final filesystem: extra copies of identical content at different paths. */
  readonly duplicateContentBytes: number;
  readonly totalBytes: number;
};

/** The one result every output renders: TUI, CI report and JSON export. */
export type Analysis = {
  readonly identity: ImageIdentity;
  readonly config: ImageConfig;
  /** The merged filesystems, diffs and memoized ranges of this image: what views walk. */
  readonly tree: FileTree;
  readonly layers: readonly LayerSummary[];
  readonly history: readonly HistoryItem[];
  /** dive's efficiency score: Σ smallest contribution ÷ Σ all contributions, 1 when none. */
  readonly efficiency: number;
  readonly sizeBytes: number;
  readonly userSizeBytes: number;
  readonly wastedBytes: number;
  /** wastedBytes ÷ userSizeBytes; null when there are no user bytes (a single-layer image). */
  readonly userWastedPercent: number | null;
  /** Paths with two or more contributions, largest wastedBytes first (ties by path). */
  readonly inefficientFiles: readonly InefficientFile[];
  readonly reclaimable: Reclaimable;
  /** Non-directory paths in the final filesystem. */
  readonly fileCount: number;
  readonly problems: readonly PathProblem[];
  /** Which steps wasted what, and the caches and leftovers kept (`findFindings`, base guessed from the history); computed on first use. */
  readonly findings: readonly Finding[];
};

/** What the CI report, the rules and the JSON export need: the figures, without the trees. */
export type AnalysisSummary = Pick<
  Analysis,
  'identity' | 'layers' | 'efficiency' | 'sizeBytes' | 'userSizeBytes' | 'wastedBytes' | 'userWastedPercent' | 'inefficientFiles' | 'reclaimable' | 'fileCount' | 'problems' | 'findings'
>;

/** The summary part of an analysis (plain data, serializable). */
export function summarize(a: Analysis, findings?: FindingsOptions): AnalysisSummary {
  const { identity, layers, efficiency, sizeBytes, userSizeBytes, wastedBytes, userWastedPercent, inefficientFiles, reclaimable, fileCount, problems } = a;
  return { identity, layers, efficiency, sizeBytes, userSizeBytes, wastedBytes, userWastedPercent, inefficientFiles, reclaimable, fileCount, problems, findings: findings ? findFindings(a, findings) : a.findings };
}

/**
 * The figures of an analysis that cost a pass over every layer's changes and the final
 * filesystem: what `analyzeImage` takes back (the index cache keeps them beside the index).
 */
export type KnownFigures = { readonly changes: readonly ChangeCounts[]; readonly reclaimable: Reclaimable; readonly fileCount: number };

/** The `KnownFigures` of an analysis. */
export function knownFigures(a: Analysis): KnownFigures {
  return { changes: a.layers.map((l) => l.changes), reclaimable: a.reclaimable, fileCount: a.fileCount };
}

/**
 * Phase two: everything that needs content comparisons (diff kinds, reclaimable bytes) plus the
 * dive figures. `keys` must give a content key for every entry `selectHashGroups(index)` names
 * (see `ContentKeys`); a missing one is a BugError. `known`: the per-layer changes, reclaimable
 * bytes and file count an earlier analysis of the same index and keys found, not computed again
 * (at 200k files that pass took 0.1-0.3 s). Pure: the index and keys are not changed.
 */
export function analyzeImage(index: ImageIndex, keys: ContentKeys, known?: KnownFigures): Analysis {
  const { input, entries, entryPath, entryKind, merged, touched, paths, contributions } = index;
  const L = input.layers.length;

  // dive's efficiency and inefficient files
  let minimum = 0;
  let discovered = 0;
  const inefficient: InefficientFile[] = [];
  const { count, sum, min } = contributions;
  for (let p = 1; p < paths.size; p++) {
    if (count[p] === 0) continue;
    minimum += min[p]!;
    discovered += sum[p]!;
    if (count[p]! >= 2) inefficient.push({ path: `/${paths.paths[p]}`, count: count[p]!, wastedBytes: sum[p]! });
  }
  inefficient.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const efficiency = discovered === 0 ? 1 : minimum / discovered;
  const wastedBytes = inefficient.reduce((s, f) => s + f.wastedBytes, 0);

  // sizes, history, per-layer changes and reclaimable bytes
  const history = mapHistory(input.config.history, L);
  const byLayer = new Map<number, HistoryItem>();
  for (const h of history) if (!h.emptyLayer && !byLayer.has(h.layer)) byLayer.set(h.layer, h);
  let sizeBytes = 0;
  let userSizeBytes = 0;
  let overwritten = 0;
  let deletedLater = 0;
  let metadataOnly = 0;
  let layerBase = 0;
  const layers: LayerSummary[] = input.layers.map((layer, li) => {
    const size = layer.entries.reduce((s, e) => s + e.size, 0);
    sizeBytes += size;
    if (li > 0) userSizeBytes += size;
    const changes: ChangeCounts = known ? { ...known.changes[li]! } : { added: 0, modified: 0, removed: 0, unmodified: 0 };
    for (const p of known ? [] : touched[li]!) {
      const b = merged.at(li - 1, p);
      const a = merged.at(li, p);
      const bDir = b < 0 || entries[b]!.type === 'dir';
      const aDir = a < 0 || entries[a]!.type === 'dir';
      let delta: 'same' | 'metadata' | 'content' | undefined;
      if (b >= 0 && a >= 0) delta = compareEntries(entries[b]!, entries[a]!, keys[b], keys[a]);
      if (!(bDir && aDir)) {
        if (b < 0) changes.added++;
        else if (a < 0) changes.removed++;
        else if (delta === 'same') changes.unmodified++;
        else changes.modified++;
      }
      if (b >= 0 && entryKind[b] === EntryKind.write) {
        const s = entries[b]!.size;
        if (a < 0) deletedLater += s;
        else if (delta === 'content') overwritten += s;
        else metadataOnly += s;
      }
    }
    // A path written twice in one layer: the earlier copy is superseded at once.
    for (let k = 0; !known && k < layer.entries.length; k++) {
      const e = layer.entries[k]!;
      if (e.size === 0) continue;
      const g = layerBase + k;
      if (entryKind[g] === EntryKind.write && merged.at(li, entryPath[g]!) !== g) overwritten += e.size;
    }
    layerBase += layer.entries.length;
    const h = byLayer.get(li);
    const d = layer.descriptor;
    return {
      index: li,
      digest: d.digest,
      diffId: d.diffId ?? input.config.diffIds[li],
      mediaType: d.mediaType,
      compressedSizeBytes: d.compressedSize,
      sizeBytes: size,
      command: h?.command ?? '',
      createdBy: h?.createdBy,
      created: h?.created,
      comment: h?.comment,
      entryCount: layer.entries.length,
      changes,
    };
  });

  // identical content at different paths, in the final filesystem
  let duplicate = known?.reclaimable.duplicateContentBytes ?? 0;
  let fileCount = known?.fileCount ?? 0;
  if (known) {
    overwritten = known.reclaimable.overwrittenBytes;
    deletedLater = known.reclaimable.deletedLaterBytes;
    metadataOnly = known.reclaimable.metadataOnlyBytes;
  } else if (L > 0) {
    const last = merged.last;
    // Keys are sha256 hex (equal only for equal content) or `~…` tokens that are unique by
    // construction, so only real digests can repeat.
    const seen = new Set<string>();
    for (let p = 1; p < last.length; p++) {
      const g = last[p]!;
      if (g < 0) continue;
      const e = entries[g]!;
      if (e.type !== 'dir') fileCount++;
      const key = keys[g];
      if (e.type !== 'file' || e.size === 0 || key === undefined || isUniqueContentKey(key)) continue;
      if (seen.has(key)) duplicate += e.size;
      else seen.add(key);
    }
  }

  const tree = new FileTree(index, keys);
  const analysis: Omit<Analysis, 'findings'> = {
    identity: input.identity,
    config: input.config,
    tree,
    layers,
    history,
    efficiency,
    sizeBytes,
    userSizeBytes,
    wastedBytes,
    userWastedPercent: userSizeBytes === 0 ? null : wastedBytes / userSizeBytes,
    inefficientFiles: inefficient,
    reclaimable: {
      overwrittenBytes: overwritten,
      deletedLaterBytes: deletedLater,
      metadataOnlyBytes: metadataOnly,
      duplicateContentBytes: duplicate,
      totalBytes: overwritten + deletedLater + metadataOnly + duplicate,
    },
    fileCount,
    problems: index.problems,
  };
  // Findings are derived on first use (and memoized on the tree): most views never ask.
  return Object.defineProperty(analysis, 'findings', {
    enumerable: true,
    get: () => tree.memo('core.findings', () => findFindings(analysis as Analysis)),
  }) as Analysis;
}
