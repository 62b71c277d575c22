import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the compile cache goes: `COMPILE_CACHE_DIR` in `defaultCacheDir(env)` (src/cache; a
 * test holds the two equal). Worked out here because the cache folder's door would load 129 KB
 * of the bundle before the compile cache is on (7 KB without it).
 */
export function compileCacheDir(env: Readonly<Record<string, string | undefined>>): { readonly base: string; readonly dir: string } {
  const home = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache');
  const base = path.join(home, 'inspect-tui');
  return { base, dir: path.join(base, 'v8-compile-cache') };
}

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
    const { base, dir } = compileCacheDir(env);
    mkdirSync(base, { recursive: true, mode: 0o700 });
    if (!lstatSync(base).isDirectory()) return;
    enable(dir);
  } catch {
    // a read-only home, a full disk: start without it
  }
}
