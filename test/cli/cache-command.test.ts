import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { listCache, pruneCache } from '../../src/cache/index.js';
import { FIXTURES, ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * `inspect-tui cache path|list|prune` over a cache filled by real runs (`--ci` on real images),
 * each test with a cache directory of its own. Ages are set with utimes, as a run's read would
 * touch them.
 */

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const EDGE = FIXTURES && path.join(FIXTURES, 'images', 'edge.docker-archive.tar');
const DAY = 24 * 60 * 60 * 1000;

let home: string;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: { XDG_CACHE_HOME: home } });

/** Sets an entry's last use to `days` ago. */
const age = (name: string, days: number) => {
  const t = new Date(Date.now() - days * DAY);
  utimesSync(path.join(dir, name), t, t);
};

beforeEach(() => {
  home = tmpDir('inspect-tui-cachehome-');
  dir = path.join(home, 'inspect-tui');
});

/** Fills the cache with two real runs: the example image and, when the fixtures are there, edge. */
function fill(): void {
  expect(cli(['--ci', '--quiet', EXAMPLE]).code).toBe(1);
  if (EDGE && existsSync(EDGE)) expect([0, 1]).toContain(cli(['--ci', '--quiet', EDGE]).code);
}

describe('inspect-tui cache', () => {
  it('path is $XDG_CACHE_HOME/inspect-tui, whether or not it exists', () => {
    expect(cli(['cache', 'path'])).toEqual({ code: 0, stdout: `${dir}\n`, stderr: '' });
    expect(runCli(['cache', 'path'], { env: { XDG_CACHE_HOME: undefined, HOME: '/home/someone' } }).stdout).toBe('/home/someone/.cache/inspect-tui\n');
  });

  it('list shows what real runs wrote: layers by diffID, the images\' figures, with size and age; an absent cache is empty', () => {
    expect(cli(['cache', 'list']).stdout).toBe(`0 entries, 0 B (each run keeps it under 1.1 GB) in ${dir}\n`);
    fill();
    const entries = listCache(dir);
    const layers = entries.filter((e) => e.kind === 'layer');
    expect(layers.length).toBeGreaterThanOrEqual(3);
    expect(entries.some((e) => e.kind === 'result')).toBe(true);
    age(layers[0]!.name, 3);
    const r = cli(['cache', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+SIZE\s+LAST USED\s+NAME$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^layer\\s+[\\d.]+ [kM]?B\\s+3 days\\s+sha256:${layers[0]!.name.slice(6)}$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^image\s+[\d.]+ [kM]?B\s+\d+ s\s+result-[0-9a-f]{64}$/));
    // what the image's package databases say, kept beside its figures
    expect(lines).toContainEqual(expect.stringMatching(/^packages\s+[\d.]+ [kM]?B\s+\d+ s\s+packages-[0-9a-f]{64}$/));
    const total = entries.reduce((n, e) => n + e.size, 0);
    expect(lines.at(-1)).toMatch(new RegExp(`^${entries.length} entries, .* in ${dir.replace(/[/.]/g, '\\$&')}$`));
    expect(total).toBeGreaterThan(0);
  });

  it('list escapes hostile names and leaves what is not its own alone', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'evil\x1b[2Jname'), 'x');
    symlinkSync('/etc/passwd', path.join(dir, 'layer-' + 'a'.repeat(64)));
    const r = cli(['cache', 'list']);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('evil\\x1b[2Jname');
    expect(r.stdout).toMatch(/^other .* layer-a{64} \(symlink, left alone\)$/m);
    expect(r.stdout).toMatch(/^0 entries/m);
  });

  it('prune --older-than removes what was not used for that long, and nothing else', () => {
    fill();
    const before = listCache(dir).filter((e) => e.kind !== 'other');
    const old = before.filter((_, i) => i % 2 === 0);
    for (const e of old) age(e.name, 40);
    const r = cli(['cache', 'prune', '--older-than', '30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^removed ${old.length} entr(y|ies) \\(.*\\); ${before.length - old.length} entr(y|ies) \\(.*\\) left in `));
    expect(readdirSync(dir).sort()).toEqual(before.filter((e) => !old.includes(e)).map((e) => e.name).sort());
    // the cache still serves: the next run reads and rewrites what it needs
    expect(cli(['--ci', '--quiet', EXAMPLE]).code).toBe(1);
  });

  it('prune --max-size keeps the most recently used within the size; --all empties it', () => {
    fill();
    const entries = listCache(dir).filter((e) => e.kind !== 'other');
    entries.forEach((e, i) => age(e.name, i + 1)); // the first listed is the most recent
    const keep = entries.slice(0, 2);
    const size = keep.reduce((n, e) => n + e.size, 0);
    expect(cli(['cache', 'prune', '--max-size', String(size)]).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(keep.map((e) => e.name).sort());
    expect(cli(['cache', 'prune', '--all']).stdout).toMatch(/^removed 2 entries .*; 0 entries \(0 B\) left in /);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prune never follows a symlink, never leaves the directory, never removes another name or a fresh temporary file', () => {
    fill();
    const outside = tmpDir('inspect-tui-outside-');
    writeFileSync(path.join(outside, 'precious'), 'keep me');
    const victim = path.join(outside, `layer-${'b'.repeat(64)}`);
    writeFileSync(victim, 'keep me too');
    symlinkSync(victim, path.join(dir, `layer-${'b'.repeat(64)}`));
    symlinkSync(outside, path.join(dir, `result-${'c'.repeat(64)}`));
    mkdirSync(path.join(dir, `keys-${'d'.repeat(64)}`));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const fresh = `.layer-${'e'.repeat(64)}.123.abc.tmp`;
    const stale = `.layer-${'f'.repeat(64)}.124.abd.tmp`;
    writeFileSync(path.join(dir, fresh), 'being written');
    writeFileSync(path.join(dir, stale), 'left by a killed run');
    age(stale, 1);
    expect(cli(['cache', 'prune', '--all']).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([fresh, `keys-${'d'.repeat(64)}`, `layer-${'b'.repeat(64)}`, 'notes.txt', `result-${'c'.repeat(64)}`].sort());
    expect(readdirSync(outside).sort()).toEqual(['layer-' + 'b'.repeat(64), 'precious']);
    expect(statSync(victim).size).toBe(11);
  });

  it('a cache directory that is a symlink is refused, one line, exit 2, nothing removed', () => {
    const real = tmpDir('inspect-tui-real-');
    writeFileSync(path.join(real, `layer-${'a'.repeat(64)}`), 'x');
    symlinkSync(real, dir);
    const r = cli(['cache', 'prune', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`inspect-tui: the cache directory ${dir} is a symlink; it is left alone (name the real directory in XDG_CACHE_HOME)\n`);
    expect(readdirSync(real)).toHaveLength(1);
  });

  it('two prunes at once both finish, and remove each entry once', async () => {
    fill();
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/run-cli.js');
    const n = listCache(dir).filter((e) => e.kind !== 'other').length;
    const once = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'cache', 'prune', '--all'], { env: { ...process.env, XDG_CACHE_HOME: home } });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('close', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([once(), once()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const removed = (o: string) => Number(/^removed (\d+)/.exec(o)![1]);
    expect(removed(a.out) + removed(b.out)).toBe(n);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('usage: one line, exit 2', () => {
    expect(cli(['cache']).stderr).toBe('inspect-tui: cache: say what to do: inspect-tui cache path|list|prune\n');
    expect(cli(['cache', 'prune']).stderr).toBe('inspect-tui: cache: prune needs --older-than DAYS, --max-size SIZE or --all (each run already keeps the cache under its bound)\n');
    expect(cli(['cache', 'prune', '--older-than', 'week']).stderr).toBe('inspect-tui: cache: --older-than "week" is not a number of days\n');
    expect(cli(['cache', 'prune', '--max-size', 'big']).stderr).toBe('inspect-tui: cache: --max-size "big" is not a size (500MB, 2GiB)\n');
    expect(cli(['cache', 'list', '--all']).code).toBe(2);
    expect(cli(['cache', 'drop']).stderr).toBe('inspect-tui: cache: "drop" is not one of path, list, prune\n');
  });

  it('pruneCache on its own: by age, then by size, oldest first', () => {
    mkdirSync(dir, { recursive: true });
    const now = Date.now();
    const names = ['a', 'b', 'c', 'd'].map((x) => `layer-${x.repeat(64)}`);
    names.forEach((n, i) => {
      writeFileSync(path.join(dir, n), 'x'.repeat(100));
      const t = new Date(now - (i + 1) * DAY); // a newest … d oldest
      utimesSync(path.join(dir, n), t, t);
    });
    const r = pruneCache(dir, { olderThanMs: 3.5 * DAY, maxBytes: 150 }, now);
    expect(r.removed.map((e) => e.name)).toEqual([names[3], names[2], names[1]]);
    expect({ kept: r.kept, keptBytes: r.keptBytes }).toEqual({ kept: 1, keptBytes: 100 });
    expect(readdirSync(dir)).toEqual([names[0]]);
  });
});
