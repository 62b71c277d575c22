import { lstatSync, readdirSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError, errnoCode } from '../errors/index.js';
import { COMPILE_CACHE_DIR, directoryUsage, removeCompileCache, STALE_TMP_MS } from './cache-dir.js';

/**
 * Looking after the cache directory from the command line (`inspect-tui cache list|prune`):
 * what it holds, and removing entries by age or size. Only the directory's own entries are
 * ever touched — regular files directly inside it whose names the caches write, and V8's
 * compile cache directory (removed whole, symlinks inside it removed, never followed) — never
 * another symlink, subdirectory or file of another name, and never the directory when it is
 * itself a symlink. Removing tolerates another run removing or rewriting the same entry meanwhile.
 */

/** What a file in the cache directory is. */
export type CacheEntryKind =
  /** A layer's entries, by diffID (`layer-<hex>`). */
  | 'layer'
  /** An image's figures (`result-<hex>`). */
  | 'result'
  /** The content keys of an image's analysis (`keys-<hex>`). */
  | 'keys'
  /** What an image's package databases say (`packages-<hex>`). */
  | 'packages'
  /** An image's analysed index and content keys, for the inspector (`index-<hex>`). */
  | 'index'
  /** V8's compile cache of the program (the `v8-compile-cache` directory, Node's layout inside): one entry, by its files. */
  | 'compile'
  /** A write in progress, or left by a run that was killed (`.<name>.<pid>.<random>.tmp`). */
  | 'temporary'
  /** Anything else: another name, a symlink, a directory. Listed, never removed. */
  | 'other';

/** One file of the cache directory. */
export type CacheEntry = {
  /** The file name, as found (print it escaped: the directory may hold any name). */
  readonly name: string;
  readonly kind: CacheEntryKind;
  /** Bytes (0 for what is not a regular file; the files' for the compile cache). */
  readonly size: number;
  /** Last use in ms since the epoch: reads touch an entry's mtime. */
  readonly usedMs: number;
  /** For `other`: what it is when it is no regular file. */
  readonly type?: 'symlink' | 'directory' | 'special';
};

const NAMES: readonly [RegExp, CacheEntryKind][] = [
  [/^layer-[0-9a-f]{64}$/, 'layer'],
  [/^result-[0-9a-f]{64}$/, 'result'],
  [/^keys-[0-9a-f]{64}$/, 'keys'],
  [/^packages-[0-9a-f]{64}$/, 'packages'],
  [/^index-[0-9a-f]{64}$/, 'index'],
  [/^\.(?:layer|result|keys|packages|index)-[0-9a-f]{64}\.\d+\.[0-9a-z]*\.tmp$/, 'temporary'],
];

function kindOf(name: string, s: Stats): Pick<CacheEntry, 'kind' | 'type'> {
  if (s.isSymbolicLink()) return { kind: 'other', type: 'symlink' };
  if (s.isDirectory()) return { kind: 'other', type: 'directory' };
  if (!s.isFile()) return { kind: 'other', type: 'special' };
  return { kind: NAMES.find(([re]) => re.test(name))?.[1] ?? 'other' };
}

/**
 * Checks that `dir` can be looked after: absent (an empty cache) or a real directory. Throws
 * UsageError when it is a symlink or something else, which this tool will not walk into.
 * @returns false when the directory does not exist
 */
function checkDir(dir: string): boolean {
  let s: Stats;
  try {
    s = lstatSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw new UsageError(`the cache directory ${dir} cannot be read (${errnoCode(e) ?? (e as Error).message})`, { cause: e, subject: dir, reason: 'unreadable' });
  }
  if (s.isSymbolicLink()) throw new UsageError(`the cache directory ${dir} is a symlink; it is left alone (name the real directory in XDG_CACHE_HOME)`, { subject: dir, reason: 'a symlink' });
  if (!s.isDirectory()) throw new UsageError(`the cache directory ${dir} is not a directory`, { subject: dir, reason: 'not a directory' });
  return true;
}

/**
 * Every file directly in the cache directory, most recently used first, without following
 * symlinks. An absent directory is an empty cache. Throws UsageError when the directory is a
 * symlink, no directory, or unreadable.
 */
export function listCache(dir: string): CacheEntry[] {
  if (!checkDir(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UsageError(`the cache directory ${dir} cannot be listed (${errnoCode(e) ?? (e as Error).message})`, { cause: e, subject: dir, reason: 'unreadable' });
  }
  const out: CacheEntry[] = [];
  for (const name of names) {
    let s: Stats;
    try {
      s = lstatSync(path.join(dir, name));
    } catch {
      continue; // removed meanwhile by another run
    }
    const usage = name === COMPILE_CACHE_DIR && s.isDirectory() ? directoryUsage(path.join(dir, name)) : undefined;
    if (usage) {
      out.push({ name, kind: 'compile', size: usage.size, usedMs: usage.mtimeMs });
      continue;
    }
    const k = kindOf(name, s);
    out.push({ name, ...k, size: s.isFile() ? s.size : 0, usedMs: s.mtimeMs });
  }
  return out.sort((a, b) => b.usedMs - a.usedMs || (a.name < b.name ? -1 : 1));
}

/** What to remove: entries unused for longer than `olderThanMs`, then the least recently used down to `maxBytes`; or `all`. */
export type PruneRule = { readonly olderThanMs?: number; readonly maxBytes?: number; readonly all?: boolean };

/** What a prune did. */
export type PruneResult = {
  readonly removed: readonly CacheEntry[];
  /** The entries left, and their bytes. */
  readonly kept: number;
  readonly keptBytes: number;
};

/**
 * Removes cache entries by `rule`, least recently used first: with `all` every entry; else those
 * unused for longer than `olderThanMs`, then more until the entries hold at most `maxBytes`.
 * Temporary files are removed only once stale (a run may be writing them), whatever the rule.
 * Files of other names, symlinks and directories are never removed nor counted. An entry another
 * run removed first is not counted as removed here. `now` is injectable for tests.
 */
export function pruneCache(dir: string, rule: PruneRule, now = Date.now()): PruneResult {
  const entries = listCache(dir);
  const removed: CacheEntry[] = [];
  const remove = (e: CacheEntry): boolean => {
    // Re-checked right before: a name that became a symlink or a directory meanwhile is left alone.
    try {
      if (e.kind === 'compile') {
        if (!removeCompileCache(path.join(dir, e.name))) return false;
      } else {
        if (!lstatSync(path.join(dir, e.name)).isFile()) return false;
        unlinkSync(path.join(dir, e.name));
      }
    } catch {
      return false; // gone meanwhile
    }
    removed.push(e);
    return true;
  };
  for (const e of entries) if (e.kind === 'temporary' && now - e.usedMs > STALE_TMP_MS) remove(e);
  // Oldest first, so that a size bound keeps the most recently used.
  const live = entries.filter((e) => e.kind !== 'temporary' && e.kind !== 'other').reverse();
  const kept: CacheEntry[] = [];
  for (const e of live) {
    const expired = rule.all === true || (rule.olderThanMs !== undefined && now - e.usedMs > rule.olderThanMs);
    if (!(expired && remove(e))) kept.push(e);
  }
  let keptBytes = kept.reduce((n, e) => n + e.size, 0);
  if (rule.maxBytes !== undefined) {
    while (keptBytes > rule.maxBytes && kept.length > 0) {
      // Removed here, by another run, or no longer a regular file: an entry no more, either way.
      const e = kept.shift()!;
      remove(e);
      keptBytes -= e.size;
    }
  }
  return { removed, kept: kept.length, keptBytes };
}
