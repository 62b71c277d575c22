/** The on-disk analysis cache: per layer (by diffID), and per image (figures for headless reruns, the analysed index for the inspector). */
import { CacheDir } from './cache-dir.js';
import { IndexCache } from './index-cache.js';
import { LayerCache } from './layer-cache.js';
import { ResultCache } from './result-cache.js';

export { CacheDir, defaultCacheDir, CACHE_FORMAT, COMPILE_CACHE_DIR, DEFAULT_MAX_BYTES } from './cache-dir.js';
export { LayerCache, ResultCache, IndexCache };
export type { CachedIndex } from './index-cache.js';
export type { ImageKey } from './result-cache.js';
export { listCache, pruneCache } from './maintain.js';
export type { CacheEntry, CacheEntryKind, PruneResult, PruneRule } from './maintain.js';

/** Every cache over one directory (by default `defaultCacheDir(env)`: `$XDG_CACHE_HOME/inspect-tui`), under one size bound. */
export function createCaches(dir: string): { readonly layers: LayerCache; readonly results: ResultCache; readonly indexes: IndexCache } {
  const d = new CacheDir(dir);
  return { layers: new LayerCache(d), results: new ResultCache(d), indexes: new IndexCache(d) };
}
