import type { Writable } from 'node:stream';
import { DEFAULT_MAX_BYTES, defaultCacheDir, listCache, pruneCache, type CacheEntry } from '../cache/index.js';
import { UsageError } from '../errors/index.js';
import { formatBytes, parseBytes, escapeControl, plural } from '../format/index.js';
import { flagOf, parseOptions, stringOf, type OptionSpec } from './options.js';

/** `inspect-tui cache path|list|prune`: where the analysis cache is, what it holds, and removing from it. */

export const CACHE_ACTIONS = ['path', 'list', 'prune'] as const;
export type CacheAction = (typeof CACHE_ACTIONS)[number];

/** `cache`'s option table. */
export const CACHE_OPTIONS: readonly OptionSpec[] = [
  { name: 'older-than', value: { label: 'DAYS', kind: 'number' }, description: 'prune: remove entries not used for more than DAYS days (0.5 is twelve hours)' },
  { name: 'max-size', value: { label: 'SIZE', kind: 'size' }, description: 'prune: then remove the least recently used until the cache holds at most SIZE (500MB, 2GiB)' },
  { name: 'all', description: 'prune: remove every entry' },
  { name: 'help', alias: 'h', description: 'this help' },
];

/** What `inspect-tui cache` was asked. */
export type CacheOptions = {
  readonly action?: CacheAction;
  readonly olderThanDays?: number;
  readonly maxBytes?: number;
  readonly all: boolean;
  readonly help: boolean;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses `cache`'s arguments. Throws UsageError with one line. */
export function parseCacheCli(argv: readonly string[]): CacheOptions {
  const { values: v, operands } = parseOptions(argv, CACHE_OPTIONS, 'cache: ', 'see inspect-tui cache --help');
  const help = flagOf(v, 'help');
  if (help) return { help, all: false };
  if (operands.length !== 1) throw new UsageError(`cache: say what to do: inspect-tui cache ${CACHE_ACTIONS.join('|')}`);
  const action = operands[0] as CacheAction;
  if (!CACHE_ACTIONS.includes(action)) throw new UsageError(`cache: "${operands[0]}" is not one of ${CACHE_ACTIONS.join(', ')}`);
  const older = stringOf(v, 'older-than');
  const size = stringOf(v, 'max-size');
  const all = flagOf(v, 'all');
  if (older !== undefined && !/^\d+(?:\.\d+)?$/.test(older)) throw new UsageError(`cache: --older-than "${older}" is not a number of days`, { subject: '--older-than', reason: 'not a number of days' });
  const maxBytes = size === undefined ? undefined : parseBytes(size);
  if (size !== undefined && maxBytes === undefined) throw new UsageError(`cache: --max-size "${size}" is not a size (500MB, 2GiB)`, { subject: '--max-size', reason: 'not a size' });
  if (action !== 'prune' && (older !== undefined || size !== undefined || all)) throw new UsageError(`cache: --older-than, --max-size and --all are for prune, not ${action}`);
  if (action === 'prune' && older === undefined && size === undefined && !all) {
    throw new UsageError('cache: prune needs --older-than DAYS, --max-size SIZE or --all (each run already keeps the cache under its bound)');
  }
  if (all && (older !== undefined || size !== undefined)) throw new UsageError('cache: --all removes every entry; give it alone');
  return { action, ...(older !== undefined ? { olderThanDays: Number(older) } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}), all, help };
}

/** How long ago, in the largest whole unit: `40 s`, `12 min`, `5 h`, `3 days`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return plural(Math.floor(s / 86_400), 'day');
}

/** How an entry is named in the list: a layer by its diffID, the rest by their file name (escaped). */
function shownName(e: CacheEntry): string {
  if (e.kind === 'layer') return `sha256:${e.name.slice('layer-'.length)}`;
  return escapeControl(e.name) + (e.type ? ` (${e.type}, left alone)` : '');
}

const LABEL: Readonly<Record<CacheEntry['kind'], string>> = { layer: 'layer', result: 'image', keys: 'keys', packages: 'packages', index: 'index', compile: 'compile', temporary: 'temp', other: 'other' };

/** The table `cache list` prints: kind, size, last use, name; then one line of totals. */
export function formatCacheList(dir: string, entries: readonly CacheEntry[], now: number): string {
  const counted = entries.filter((e) => e.kind !== 'other');
  const bytes = counted.reduce((n, e) => n + e.size, 0);
  const rows = entries.map((e) => [LABEL[e.kind], formatBytes(e.size), formatAge(now - e.usedMs), shownName(e)] as const);
  const head = ['KIND', 'SIZE', 'LAST USED', 'NAME'] as const;
  const w = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padStart(w[2]!)}  ${r[3]}`;
  const table = rows.length > 0 ? `${[head, ...rows].map(line).join('\n')}\n` : '';
  return `${table}${plural(counted.length, 'entry', 'entries')}, ${formatBytes(bytes)} (each run keeps it under ${formatBytes(DEFAULT_MAX_BYTES)}) in ${escapeControl(dir)}\n`;
}

/** Runs `cache ACTION` on the cache directory the environment names (`$XDG_CACHE_HOME/inspect-tui`). */
export async function runCache(o: CacheOptions, ctx: { readonly env: Readonly<Record<string, string | undefined>>; readonly stdout: Writable; readonly now?: number }): Promise<number> {
  const dir = defaultCacheDir(ctx.env);
  const now = ctx.now ?? Date.now();
  switch (o.action) {
    case 'path':
      ctx.stdout.write(`${dir}\n`);
      return 0;
    case 'list':
      ctx.stdout.write(formatCacheList(dir, listCache(dir), now));
      return 0;
    case 'prune': {
      const r = pruneCache(dir, { ...(o.olderThanDays !== undefined ? { olderThanMs: o.olderThanDays * DAY_MS } : {}), ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}), all: o.all }, now);
      const freed = r.removed.reduce((n, e) => n + e.size, 0);
      ctx.stdout.write(`removed ${plural(r.removed.length, 'entry', 'entries')} (${formatBytes(freed)}); ${plural(r.kept, 'entry', 'entries')} (${formatBytes(r.keptBytes)}) left in ${escapeControl(dir)}\n`);
      return 0;
    }
    case undefined:
      throw new UsageError('cache: say what to do: inspect-tui cache path|list|prune');
  }
}
