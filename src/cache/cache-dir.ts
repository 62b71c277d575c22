import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What every cache entry is tagged with: the layout version and the tool's own version, so an
 * upgrade that changes the analysis never serves figures computed by the old code.
 */
export const CACHE_FORMAT = `1/${toolVersion()}`;

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Default bound on the cache's size. @default 1 GiB */
export const DEFAULT_MAX_BYTES = 1 << 30;

/** `$XDG_CACHE_HOME/inspect-tui`, else `~/.cache/inspect-tui`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(base, 'inspect-tui');
}

/**
 * A directory of cache files named by key. Writes go to a unique temporary file and are
 * renamed into place, so concurrent runs never see a half-written entry (the last writer
 * wins, and both wrote the same facts). Reads touch the file's mtime, and after each write
 * the oldest entries are removed while the total exceeds `maxBytes`. Failures to write or
 * prune are ignored: the cache only ever saves work.
 */
export class CacheDir {
  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  file(name: string): string {
    return path.join(this.dir, name);
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
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = this.file(`.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, this.file(name));
      this.prune();
    } catch {
      // read-only home, full disk…: run without caching
    }
  }

  /** Removes the least recently used entries while the cache is over its bound. */
  prune(): void {
    let files: { name: string; size: number; mtime: number }[];
    try {
      files = readdirSync(this.dir)
        .filter((n) => !n.startsWith('.'))
        .map((name) => {
          const s = statSync(this.file(name));
          return { name, size: s.size, mtime: s.mtimeMs };
        });
    } catch {
      return;
    }
    let total = files.reduce((n, f) => n + f.size, 0);
    if (total <= this.maxBytes) return;
    files.sort((a, b) => a.mtime - b.mtime);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      try {
        unlinkSync(this.file(f.name));
        total -= f.size;
      } catch {
        // another run removed it
      }
    }
  }
}
