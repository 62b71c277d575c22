import { existsSync, lutimesSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheDir, COMPILE_CACHE_DIR, defaultCacheDir, listCache, pruneCache } from '../../src/cache/index.js';
import { compileCacheDir } from '../../src/cli/compile-cache.js';
import { tmpDir } from '../helpers/image-files.js';

/** A compile cache laid out as Node lays it out (a directory per Node version, a file per module), with a symlink planted inside. */
function compileCache(dir: string, outside: string): string {
  const cc = path.join(dir, COMPILE_CACHE_DIR);
  mkdirSync(path.join(cc, 'v22.12.0-x64-abc'), { recursive: true });
  writeFileSync(path.join(cc, 'v22.12.0-x64-abc', '1a2b'), Buffer.alloc(3000));
  writeFileSync(path.join(cc, 'v22.12.0-x64-abc', '3c4d'), Buffer.alloc(1000));
  symlinkSync(outside, path.join(cc, 'v22.12.0-x64-abc', 'planted'));
  return cc;
}

describe("V8's compile cache in the cache directory", () => {
  it('is where the cache folder counts it, whatever the environment says', () => {
    for (const env of [{ XDG_CACHE_HOME: '/x/cache', HOME: '/h' }, { XDG_CACHE_HOME: 'relative', HOME: '/h' }, { HOME: '/h' }, {}]) {
      expect(compileCacheDir(env)).toEqual({ base: defaultCacheDir(env), dir: path.join(defaultCacheDir(env), COMPILE_CACHE_DIR) });
    }
  });

  it('is listed as one entry by the bytes of its files, and pruned whole, never following a symlink inside', () => {
    const dir = tmpDir();
    const outside = path.join(tmpDir(), 'precious');
    writeFileSync(outside, Buffer.alloc(50_000));
    compileCache(dir, outside);
    const [entry] = listCache(dir);
    expect(entry).toMatchObject({ name: COMPILE_CACHE_DIR, kind: 'compile', size: 4000 });
    const r = pruneCache(dir, { all: true });
    expect(r.removed.map((e) => e.kind)).toEqual(['compile']);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(outside)).toBe(true);
  });

  it('counts toward the size bound every run keeps, and goes first when it is the least recently used', () => {
    const dir = tmpDir();
    const outside = path.join(tmpDir(), 'precious');
    writeFileSync(outside, 'x');
    const cc = compileCache(dir, outside);
    for (const f of ['', 'v22.12.0-x64-abc', 'v22.12.0-x64-abc/1a2b', 'v22.12.0-x64-abc/3c4d']) utimesSync(path.join(cc, f), new Date(2001, 0, 1), new Date(2001, 0, 1));
    // The planted symlink is newer than anything: it is not V8's, so it keeps nothing fresh
    // (counting it made the entry as new as the layer written below, and which went first a tie).
    lutimesSync(path.join(cc, 'v22.12.0-x64-abc', 'planted'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    const cache = new CacheDir(dir, 5000);
    cache.write(`layer-${'ab'.repeat(32)}`, Buffer.alloc(2000));
    expect(readdirSync(dir)).toEqual([`layer-${'ab'.repeat(32)}`]);
    expect(existsSync(outside)).toBe(true);
  });
});
