import { analyzeImage, indexImage, selectHashRequests, type Analysis, type LayerEntry } from '../../src/core/index.js';

/**
 * In-memory layer builders for core tests: entries as the layer reader would produce them.
 * `content` stands in for the body: its hash is derived from it, so equal content means an
 * equal hash, as with real bodies.
 */
type Opts = { mode?: number; uid?: number; gid?: number; content?: string };

export function file(path: string, size = 10, o: Opts = {}): LayerEntry {
  return { path, type: 'file', mode: o.mode ?? 0o644, uid: o.uid ?? 0, gid: o.gid ?? 0, size, hash: `h:${o.content ?? `${path}#${size}`}` };
}
export function dir(path: string, o: Opts = {}): LayerEntry {
  return { path, type: 'dir', mode: o.mode ?? 0o755, uid: o.uid ?? 0, gid: o.gid ?? 0, size: 0 };
}
export function symlink(path: string, target: string): LayerEntry {
  return { path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: target };
}
export function hardlink(path: string, target: string): LayerEntry {
  return { path, type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkTarget: target };
}
/** `.wh.NAME` next to the path it deletes. */
export function whiteout(path: string): LayerEntry {
  const i = path.lastIndexOf('/');
  const p = i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`;
  return { path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 };
}
/** `.wh..wh..opq` in a directory. */
export function opaque(dirPath: string): LayerEntry {
  return { path: `${dirPath}/.wh..wh..opq`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 };
}

/** Runs the core over layers given as entry lists, with an optional history of commands. */
export function analyze(layers: LayerEntry[][], commands?: string[]): Analysis {
  const index = indexImage({
    identity: { reference: 'test:image', source: 'test' },
    config: {
      diffIds: [],
      history: (commands ?? layers.map((_, i) => `/bin/sh -c step ${i}`)).map((c) => ({ createdBy: c, emptyLayer: false })),
      config: {},
    },
    layers: layers.map((entries) => ({ descriptor: {}, entries })),
  });
  return analyzeImage(index);
}

/** Path → entry visible at the top of the image (or at `layer`). */
export function mergedPaths(a: Analysis, layer = a.layers.length - 1): Map<string, LayerEntry> {
  const out = new Map<string, LayerEntry>();
  const m = a.index.merged[layer]!;
  for (let p = 1; p < m.length; p++) if (m[p]! >= 0) out.set(a.index.paths.paths[p]!, a.index.entries[m[p]!]!);
  return out;
}

export { selectHashRequests, indexImage };
