import type { LayerAccess } from '../archive/index.js';
import type { Analysis } from '../core/index.js';
import { countInBody, findInBody, readWindow } from './read-window.js';
import type { BodyReader } from './types.js';

/**
 * Reads windows of regular files' bodies: the entry visible at a path after a layer, from the
 * layer that wrote it (as extraction finds it). A source read in one pass (no blob kept)
 * answers with an error saying so.
 */
export function createBodyReader(a: Analysis, layers: readonly LayerAccess[]): BodyReader {
  /** The layer access and local index of the regular file at a path after a layer. */
  const locate = (layerIndex: number, pathId: number) => {
    const { tree } = a;
    const g = layerIndex < tree.layerCount ? tree.entryIdAt(layerIndex, pathId) : -1;
    if (g < 0) throw new Error(`/${tree.pathOf(pathId)} is not in the filesystem at L${layerIndex}`);
    if (tree.entry(g).type !== 'file') throw new Error(`/${tree.pathOf(pathId)} is not a regular file`);
    const { layer, local } = tree.originOf(g);
    const access = layers[layer];
    if (!access) throw new Error(`layer ${layer} is not available`);
    return { access, local };
  };
  return {
    async read(req) {
      const { access, local } = locate(req.layer, req.pathId);
      return readWindow(access.blob, access.contents, local, req.offset, req.length, { countLines: req.countLines });
    },
    async find(req) {
      const { access, local } = locate(req.layer, req.pathId);
      return findInBody(access.blob, access.contents, local, req.pattern, req.from, req.backward);
    },
    async count(req, signal) {
      const { access, local } = locate(req.layer, req.pathId);
      return countInBody(access.blob, access.contents, local, req.pattern, req.max, signal);
    },
  };
}
