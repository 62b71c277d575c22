import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/**
 * What every cache entry is tagged with: the layout version and the tool's own version, so an
 * upgrade that changes the analysis never serves figures computed by the old code. Layout 2:
 * entries are written only for verified layers, and whole-image results carry a checksum.
 * Layout 4: layers are stored as `PackedContents` columns, and images keep their content keys.
 * Layout 5: a streamed layer keeps its package database bodies, and images their packages.
 * Layout 6: the findings an image's figures keep carry their owners and `fromBase`.
 */
export const CACHE_FORMAT = `6/${toolVersion()}`;

/** The version, compiled in by the bundler (scripts/build.mjs); read from package.json when running unbundled. */
declare const INSPECT_TUI_VERSION: string | undefined;

function toolVersion(): string {
  if (typeof INSPECT_TUI_VERSION === 'string') return INSPECT_TUI_VERSION;
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The subdirectory where V8's compile cache is kept (`module.enableCompileCache`, Node ≥ 22.1):
 * Node's own layout inside. Counted and removed as one entry, by the size of the files in it and
 * the time of the newest.
 */
export const COMPILE_CACHE_DIR = 'v8-compile-cache';

/**
 * The bytes of the regular files under a directory and the newest modification time there
 * (the directory's own included), without following symlinks, at most 8 levels and 100k entries
 * deep (past that, what was seen). Undefined when `dir` is no directory.
 */
export function directoryUsage(dir: string): { size: number; mtimeMs: number } | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return undefined;
  let size = 0;
  let mtimeMs = st.mtimeMs;
  let budget = 100_000;
  const walk = (d: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      if (--budget < 0) return;
      const p = path.join(d, name);
      let s;
      try {
        s = lstatSync(p);
      } catch {
        continue;
      }
      // Only V8's own files and folders say when it was last used: a symlink (never followed)
      // or anything else found inside neither counts nor keeps the entry fresh.
      if (s.isFile()) {
        size += s.size;
        mtimeMs = Math.max(mtimeMs, s.mtimeMs);
      } else if (s.isDirectory()) {
        mtimeMs = Math.max(mtimeMs, s.mtimeMs);
        if (depth < 8) walk(p, depth + 1);
      }
    }
  };
  walk(dir, 1);
  return { size, mtimeMs };
}

/** Removes the compile cache directory (symlinks inside are removed, never followed); false when it could not be. */
export function removeCompileCache(dir: string): boolean {
  try {
    if (!lstatSync(dir).isDirectory()) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

/** Default bound on the cache's size. @default 1 GiB */
export const DEFAULT_MAX_BYTES = 1 << 30;

/** A temporary file older than this is left over from a killed run (or a full disk) and removed. */
export const STALE_TMP_MS = 10 * 60 * 1000;

/** Pruning removes entries until the cache is this fraction of its bound, so it does not run again at once. */
const PRUNE_TO = 0.9;

/** `$XDG_CACHE_HOME/inspect-tui`, else `~/.cache/inspect-tui`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(base, 'inspect-tui');
}

/** `sha256` hex of some bytes: the checksum every entry carries. */
export function checksum(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const O_READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * A directory of cache files named by key. Writes go to a unique temporary file and are
 * renamed into place, so concurrent runs never see a half-written entry (the last writer
 * wins, and both wrote the same facts). Reads open only regular files (never through a
 * symlink, never a FIFO or device that could block or lie) and touch the file's mtime. The
 * directory's size is learnt by one scan per process and kept up to date as entries are
 * written; when it exceeds `maxBytes`, the oldest entries are removed down to 90% of it, so
 * writing n entries costs O(n) file-system calls, not O(n²). The scan also removes temporary
 * files left by killed runs. Failures to write or prune are ignored: the cache only ever
 * saves work.
 */
export class CacheDir {
  /** Bytes of entries as of the last scan plus what this process wrote since; undefined before the first scan. */
  private total: number | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The bytes of an entry when it is a regular file; undefined when absent or anything else. */
  read(name: string): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(this.file(name), O_READ);
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      const buf = Buffer.allocUnsafe(st.size);
      let got = 0;
      while (got < st.size) {
        const n = readSync(fd, buf, got, st.size - got, got);
        if (n === 0) return undefined;
        got += n;
      }
      return buf;
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * An entry as `decode` makes it, marked as recently used: undefined when it is absent, when
   * `decode` does not trust it (undefined) or throws on it. The one way every cache reads.
   */
  readEntry<T>(name: string, decode: (buf: Buffer) => T | undefined): T | undefined {
    const buf = this.read(name);
    if (!buf) return undefined;
    let value: T | undefined;
    try {
      value = decode(buf);
    } catch {
      return undefined;
    }
    if (value !== undefined) this.touch(name);
    return value;
  }

  /** Marks an entry as recently used. */
  touch(name: string): void {
    try {
      const now = new Date();
      utimesSync(this.file(name), now, now);
    } catch {
      // gone meanwhile: fine
    }
  }

  write(name: string, data: Buffer | string): void {
    const tmp = this.file(`.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (!lstatSync(this.dir).isDirectory()) return;
      writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
      renameSync(tmp, this.file(name));
    } catch {
      // read-only home, full disk…: run without caching, and leave no partial file behind
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
      return;
    }
    if (this.total === undefined) this.prune();
    else {
      this.total += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (this.total > this.maxBytes) this.prune();
    }
  }

  /**
   * Scans the directory once: removes stale temporary files, and the least recently used
   * entries while the cache is over its bound (down to 90% of it). Anything that is not a
   * regular file is left alone and not counted.
   */
  prune(): void {
    const files: { name: string; size: number; mtime: number }[] = [];
    const now = Date.now();
    try {
      for (const name of readdirSync(this.dir)) {
        if (name === COMPILE_CACHE_DIR) {
          // V8's compile cache: one entry, by its files' bytes and its newest file.
          const u = directoryUsage(this.file(name));
          if (u) files.push({ name, size: u.size, mtime: u.mtimeMs });
          continue;
        }
        let s;
        try {
          s = lstatSync(this.file(name));
        } catch {
          continue;
        }
        if (!s.isFile()) continue;
        if (name.startsWith('.')) {
          if (name.endsWith('.tmp') && now - s.mtimeMs > STALE_TMP_MS) this.unlink(name);
          continue;
        }
        files.push({ name, size: s.size, mtime: s.mtimeMs });
      }
    } catch {
      return;
    }
    let total = files.reduce((n, f) => n + f.size, 0);
    if (total > this.maxBytes) {
      files.sort((a, b) => a.mtime - b.mtime);
      const target = this.maxBytes * PRUNE_TO;
      for (const f of files) {
        if (total <= target) break;
        if (this.unlink(f.name)) total -= f.size;
      }
    }
    this.total = total;
  }

  private unlink(name: string): boolean {
    if (name === COMPILE_CACHE_DIR) return removeCompileCache(this.file(name));
    try {
      unlinkSync(this.file(name));
      return true;
    } catch {
      return false; // another run removed it
    }
  }
}
