import { analyzeImage, indexImage, selectHashRequests, type Analysis, type ContentKeys, type ImageIndex, type LayerEntry } from '../../src/core/index.js';

/**
 * In-memory layer builders for core tests: entries as the layer reader would produce them.
 * `content` stands in for the body: a file's content key is derived from it, so equal content
 * means an equal key, as with real bodies. The key lives beside the (immutable) entry, as the
 * loader keeps it: a copy of an entry has none.
 */
type Opts = { mode?: number; uid?: number; gid?: number; content?: string };

const contentOf = new WeakMap<LayerEntry, string>();

export function file(path: string, size = 10, o: Opts = {}): LayerEntry {
  const e: LayerEntry = { path, type: 'file', mode: o.mode ?? 0o644, uid: o.uid ?? 0, gid: o.gid ?? 0, size };
  contentOf.set(e, `h:${o.content ?? `${path}#${size}`}`);
  return e;
}

/** The stand-in body digest of an entry built by `file` (undefined for copies and other types). */
export function contentOfEntry(e: LayerEntry): string | undefined {
  return contentOf.get(e);
}

/** The content keys of an index's entries, as the loader would compute them (by global entry id). */
export function contentKeysOf(index: ImageIndex): ContentKeys {
  return index.entries.map((e) => contentOf.get(e));
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
  return analyzeImage(index, contentKeysOf(index));
}

/**
 * An image of numbered layers, each with its command: a layer's diffID comes from its number,
 * so two images built with the same numbered layer share it (for comparisons).
 */
export function numberedImage(layers: readonly { id: number; entries: readonly LayerEntry[]; command: string }[]): Analysis {
  const ids = layers.map((l) => `sha256:${String(l.id).padStart(64, '0')}`);
  const index = indexImage({
    identity: { reference: `img-${layers.length}`, source: 'test' },
    config: { diffIds: ids, history: layers.map((l) => ({ createdBy: `/bin/sh -c ${l.command}`, emptyLayer: false })), config: {} },
    layers: layers.map((l, i) => ({ descriptor: { diffId: ids[i] }, entries: l.entries })),
  });
  return analyzeImage(index, contentKeysOf(index));
}

/** Path → entry visible at the top of the image (or at `layer`). */
export function mergedPaths(a: Analysis, layer = a.layers.length - 1): Map<string, LayerEntry> {
  const out = new Map<string, LayerEntry>();
  const t = a.tree;
  for (let p = 1; p < t.pathCount; p++) {
    const e = t.entryAt(layer, p);
    if (e) out.set(t.pathOf(p), e);
  }
  return out;
}

export { selectHashRequests, indexImage };
