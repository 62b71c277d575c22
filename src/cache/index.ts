/** The on-disk analysis cache: per layer (by diffID) and per image (for headless reruns). */
import { CacheDir } from './cache-dir.js';
import { LayerCache } from './layer-cache.js';
import { ResultCache } from './result-cache.js';

export { CacheDir, defaultCacheDir, CACHE_FORMAT, DEFAULT_MAX_BYTES } from './cache-dir.js';
export { LayerCache, ResultCache };
export type { ImageKey } from './result-cache.js';
export { listCache, pruneCache } from './maintain.js';
export type { CacheEntry, CacheEntryKind, PruneResult, PruneRule } from './maintain.js';

/** Both caches over one directory (by default `defaultCacheDir(env)`: `$XDG_CACHE_HOME/inspect-tui`). */
export function createCaches(dir: string): { readonly layers: LayerCache; readonly results: ResultCache } {
  const d = new CacheDir(dir);
  return { layers: new LayerCache(d), results: new ResultCache(d) };
}
