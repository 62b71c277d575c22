import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CacheDir } from '../../src/cache/index.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const summaryOf = (r: ReturnType<typeof runCli>) => JSON.parse(r.stdout).summary;

describe('the cache trusts nothing it cannot vouch for', () => {
  it('a whole-image result whose figures were changed (still valid JSON) is ignored', () => {
    const cacheHome = tmpDir();
    const env = { XDG_CACHE_HOME: cacheHome };
    const genuine = summaryOf(runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env }));
    const dir = path.join(cacheHome, 'inspect-tui');
    const result = readdirSync(dir).find((f) => f.startsWith('result-'))!;
    const text = readFileSync(path.join(dir, result), 'utf8');
    const forged = text.replace(/"efficiency":\s*[0-9.]+/, '"efficiency":0.999999');
    expect(forged).not.toBe(text);
    writeFileSync(path.join(dir, result), forged);
    expect(summaryOf(runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env }))).toEqual(genuine);
  });

  it('never opens a FIFO or follows a symlink where an entry should be', () => {
    const cacheHome = tmpDir();
    const env = { XDG_CACHE_HOME: cacheHome };
    const genuine = summaryOf(runCli(['--ci', '--json', '-', '--quiet', '--no-cache', EXAMPLE]));
    // Fill the cache once to learn the entry names, then put a FIFO and a symlink in their place.
    runCli(['--ci', '--quiet', EXAMPLE], { env });
    const dir = path.join(cacheHome, 'inspect-tui');
    const names = readdirSync(dir).sort();
    const elsewhere = path.join(tmpDir(), 'planted');
    writeFileSync(elsewhere, 'not an entry');
    names.forEach((n, i) => {
      const p = path.join(dir, n);
      execFileSync('rm', ['-f', p]);
      if (i % 2 === 0) execFileSync('mkfifo', [p]);
      else symlinkSync(elsewhere, p);
    });
    // A FIFO opened for reading would block forever: the run finishing at all is the point.
    const r = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    expect(summaryOf(r)).toEqual(genuine);
    expect(readFileSync(elsewhere, 'utf8')).toBe('not an entry');
  });

  it('removes temporary files left by a killed run, but not one a running process may still rename', () => {
    const root = path.join(tmpDir(), 'c');
    mkdirSync(root);
    const stale = path.join(root, '.layer-ab.4242.x1.tmp');
    const fresh = path.join(root, '.layer-cd.4243.x2.tmp');
    writeFileSync(stale, 'half an entry');
    writeFileSync(fresh, 'being written');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(stale, hourAgo, hourAgo);
    const dir = new CacheDir(root, 1 << 20);
    dir.write('layer-ef', 'an entry');
    expect(readdirSync(root).sort()).toEqual(['.layer-cd.4243.x2.tmp', 'layer-ef']);
  });

  it('writing n entries scans the directory a bounded number of times, not once per entry', () => {
    const dir = new CacheDir(path.join(tmpDir(), 'c'), 100_000);
    const prune = vi.spyOn(dir, 'prune');
    for (let i = 0; i < 2000; i++) dir.write(`layer-${i}`, Buffer.alloc(1000, i));
    // 2 MB written into a 100 kB bound: a scan each time 10% of the bound is exceeded again (~200), not 2000.
    expect(prune.mock.calls.length).toBeLessThanOrEqual(2000 * 1000 / 10_000 + 2);
    const total = readdirSync(dir.dir).reduce((n, f) => n + statSync(path.join(dir.dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(100_000);
    expect(readdirSync(dir.dir)).toContain('layer-1999');
  });
});
