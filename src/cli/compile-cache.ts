import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { COMPILE_CACHE_DIR, defaultCacheDir } from '../cache/cache-dir.js';

/**
 * Turns on V8's compile cache (`module.enableCompileCache`, Node ≥ 22.1; a no-op on older
 * Nodes) in `COMPILE_CACHE_DIR` under the tool's cache directory, so a later start reuses the
 * code V8 compiled for the bundle instead of parsing and compiling it again. Node keeps one
 * subdirectory per Node version and one file per module there and never removes any; the
 * tool's cache bound and `cache list|prune` count and remove that directory like its other
 * entries (src/cache). Left off with `--no-cache`, when the user set `NODE_COMPILE_CACHE`
 * (Node then uses theirs) or `NODE_DISABLE_COMPILE_CACHE`, and when the cache directory is a
 * symlink or cannot be made. Call before the modules it should cover are imported.
 */
export function enableCompileCache(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): void {
  const enable = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function' || argv.includes('--no-cache') || env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    const dir = defaultCacheDir(env);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!lstatSync(dir).isDirectory()) return;
    enable(path.join(dir, COMPILE_CACHE_DIR));
  } catch {
    // a read-only home, a full disk: start without it
  }
}
