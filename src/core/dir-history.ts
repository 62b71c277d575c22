import { EntryKind } from './index-image.js';
import type { FileTree } from './file-tree.js';
import type { LayerEntry } from './model.js';

/** What one layer did to a directory. */
export type DirEvent = {
  readonly layer: number;
  readonly kind: 'created' | 'removed' | 'opaque' | 'metadata' | 'contents';
  /** The directory's entry after the layer (absent when removed). */
  readonly entry?: LayerEntry;
  /** Paths below the directory this layer added, changed or removed. */
  readonly below: number;
  /** How it was removed: the directory holding the whiteout or opaque marker. */
  readonly removedVia?: { readonly via: 'whiteout' | 'opaque' | 'replaced'; readonly markerPath: string };
};

/**
 * The history of a directory: the layers that created it, removed it, made it opaque (a
 * `.wh..wh..opq` marker: everything below from lower layers hidden), changed its mode or
 * owner, or changed something below it. A layer that only writes the directory's entry again,
 * unchanged, with nothing changed below, is left out: nothing happened.
 */
export function directoryHistory(tree: FileTree, pathId: number): DirEvent[] {
  const { merged, entries, entryKind, entryPath, markers, touched, removals, paths } = tree.index;
  const out: DirEvent[] = [];
  let prev = -1;
  for (let li = 0; li < merged.layerCount; li++) {
    const cur = merged.at(li, pathId);
    let below = 0;
    for (const x of touched[li]!) if (x !== pathId && paths.isAncestorOrSelf(pathId, x)) below++;
    let opaque = false;
    for (const g of markers[li]!) if (entryKind[g] === EntryKind.opaque && entryPath[g] === pathId) opaque = true;
    if (cur < 0) {
      if (prev >= 0) {
        const r = removals[li]!.find((x) => paths.isAncestorOrSelf(x.path, pathId));
        out.push({ layer: li, kind: 'removed', below, removedVia: r ? { via: r.via, markerPath: `/${paths.paths[r.markerDir]!}` } : { via: 'replaced', markerPath: `/${paths.paths[pathId]!}` } });
      }
    } else if (prev < 0) out.push({ layer: li, kind: 'created', entry: entries[cur]!, below });
    else if (opaque) out.push({ layer: li, kind: 'opaque', entry: entries[cur]!, below });
    else if (cur !== prev && tree.compare(prev, cur) !== 'same') out.push({ layer: li, kind: 'metadata', entry: entries[cur]!, below });
    else if (below > 0) out.push({ layer: li, kind: 'contents', entry: entries[cur]!, below });
    prev = cur;
  }
  return out;
}
