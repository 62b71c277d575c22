import type { LayerAccess } from '../archive/layer-blob.js';
import type { Analysis } from '../core/analyze.js';
import { readWindow } from './read-window.js';
import type { BodyReader } from './types.js';

/**
 * Reads windows of regular files' bodies: the entry visible at a path after a layer, from the
 * layer that wrote it (as extraction finds it). A source read in one pass (no blob kept)
 * answers with an error saying so.
 */
export function createBodyReader(a: Analysis, layers: readonly LayerAccess[]): BodyReader {
  return {
    async read(req) {
      const { tree } = a;
      const g = req.layer < tree.layerCount ? tree.entryIdAt(req.layer, req.pathId) : -1;
      if (g < 0) throw new Error(`/${tree.pathOf(req.pathId)} is not in the filesystem at L${req.layer}`);
      if (tree.entry(g).type !== 'file') throw new Error(`/${tree.pathOf(req.pathId)} is not a regular file`);
      const { layer, local } = tree.originOf(g);
      const access = layers[layer];
      if (!access) throw new Error(`layer ${layer} is not available`);
      return readWindow(access.blob, access.contents, local, req.offset, req.length, { countLines: req.countLines });
    },
  };
}
