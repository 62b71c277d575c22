/** The on-disk analysis cache: per layer (by diffID) and per image (for headless reruns). */
export { CacheDir, defaultCacheDir, CACHE_FORMAT, DEFAULT_MAX_BYTES } from './cache-dir.js';
export { LayerCache } from './layer-cache.js';
export { ResultCache } from './result-cache.js';
