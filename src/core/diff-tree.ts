import type { Analysis } from './analyze.js';
import { analyzeImage } from './analyze.js';
import type { ImageComparison } from './compare-images.js';
import { indexImage } from './index-image.js';
import type { LayerEntry } from './model.js';

/**
 * The difference between two images as a two-layer image the inspector can walk with its
 * usual tree: layer 0 is OLD's final filesystem, layer 1 writes what NEW added or changed and
 * whites out what NEW no longer has. The changes of layer 1 are then exactly the comparison
 * (added, removed, modified — content by the comparison's digests, metadata by the entries),
 * and every tree feature — filters, search, collapse, sort — works on it unchanged.
 */
export type DiffImage = {
  readonly analysis: Analysis;
  readonly comparison: ImageComparison;
  /** Per path id of `analysis.tree`: the layer of NEW that wrote (or removed) it, or -1. */
  readonly newLayerOf: Int32Array;
  /** Per path id of `analysis.tree`: new size minus old size of the path's subtree. */
  readonly deltaOf: Float64Array;
};

function whiteoutOf(path: string): LayerEntry {
  const i = path.lastIndexOf('/');
  const wh = i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`;
  return { path: wh, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 };
}

/** Builds the two-layer image of a comparison (pure; OLD and NEW are the compared analyses). */
export function buildDiffImage(c: ImageComparison, old: Analysis, neu: Analysis): DiffImage {
  const ta = old.tree;
  const tb = neu.tree;
  const topA = old.layers.length - 1;
  const topB = neu.layers.length - 1;
  const base: LayerEntry[] = [];
  const keys: (string | undefined)[] = [];
  for (let p = 1; p < ta.pathCount; p++) {
    const e = ta.entryAt(topA, p);
    if (!e) continue;
    base.push(e);
    keys.push(`o:${e.path}`);
  }
  const top: LayerEntry[] = [];
  const topKeys: (string | undefined)[] = [];
  const removed = new Set<string>();
  for (const f of c.files) {
    const rel = f.path.slice(1);
    if (f.change === 'removed') {
      removed.add(rel);
      const parent = rel.lastIndexOf('/') < 0 ? '' : rel.slice(0, rel.lastIndexOf('/'));
      if (!removed.has(parent)) {
        top.push(whiteoutOf(rel));
        topKeys.push(undefined);
      }
      continue;
    }
    const q = tb.find(rel);
    const e = q === undefined ? undefined : tb.entryAt(topB, q);
    if (!e) continue;
    top.push(e);
    topKeys.push(f.change === 'modified' && !f.aspects.includes('content') ? `o:${rel}` : `n:${rel}`);
  }
  const index = indexImage({
    identity: { reference: `${c.old.identity.reference} → ${c.new.identity.reference}`, source: 'diff' },
    config: {
      diffIds: [],
      history: [
        { createdBy: `OLD ${c.old.identity.reference}`, emptyLayer: false },
        { createdBy: `NEW ${c.new.identity.reference}`, emptyLayer: false },
      ],
      config: {},
    },
    layers: [
      { descriptor: {}, entries: base },
      { descriptor: {}, entries: top },
    ],
  });
  // Keys by global entry id: the explicit entries of layer 0, then layer 1, come first.
  const all = new Array<string | undefined>(index.entries.length);
  keys.forEach((k, i) => (all[i] = k));
  topKeys.forEach((k, i) => (all[base.length + i] = k));
  const analysis = analyzeImage(index, all);
  const t = analysis.tree;
  const newLayerOf = new Int32Array(t.pathCount).fill(-1);
  const deltaOf = new Float64Array(t.pathCount);
  for (const f of c.files) {
    const p = t.find(f.path.slice(1));
    if (p !== undefined && f.newLayer !== undefined) newLayerOf[p] = f.newLayer;
  }
  for (const [rel, d] of c.deltas) {
    const p = t.find(rel);
    if (p !== undefined) deltaOf[p] = d;
  }
  return { analysis, comparison: c, newLayerOf, deltaOf };
}
