import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, inspector, MAIN, tmuxReady } from '../helpers/tmux.js';

// The first screen of a cached open, in a real terminal: the tree comes from the cached index,
// and what the first screen does not need (the package databases) is read after it, marked
// as pending until then. Everything the program writes is recorded (`pipe-pane`), so the test
// sees the frame with the pending mark even when the final one follows within milliseconds.

const ready = tmuxReady('the first-screen sessions');

describe.skipIf(!ready)('the first screen of a cached open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-first-'));
  const cache = join(dir, 'cache');
  const record = join(dir, 'out.log');
  // Started once the recording is attached (pipe-pane's `cat` has created the file), so that it
  // holds every byte: a fixed delay lost the first frames when tmux was slow to attach it.
  const late = ['sh', '-c', `while [ ! -e '${record}' ]; do sleep 0.02; done; exec node "$0" "$@"`, MAIN];
  const first = inspector({ name: 'first-uncached', args: [EXAMPLE], cols: 160, rows: 45, env: { NO_COLOR: '1', XDG_CACHE_HOME: cache } });
  const second = inspector({ name: 'first-cached', args: [EXAMPLE], cols: 160, rows: 45, env: { NO_COLOR: '1', XDG_CACHE_HOME: cache }, program: late });
  afterAll(() => {
    first.stop();
    second.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the tree from the cached index with the packages pending, then the packages', async () => {
    expect(existsSync(MAIN)).toBe(true);
    // Uncached: once verified, the layers, the content keys and the index are cached.
    first.start();
    await first.until((s) => /[├└]──/.test(s) && !s.includes('verifying'), 'the verified first screen');
    const entries = join(cache, 'inspect-tui');
    await first.until(() => existsSync(entries) && readdirSync(entries).some((f) => f.startsWith('index-')), 'the index entry');
    first.keys('q');
    await first.until((s) => s.includes('EXIT:0'), 'the exit');
    const index = join(entries, readdirSync(entries).find((f) => f.startsWith('index-'))!);
    utimesSync(index, new Date(2000, 0, 1), new Date(2000, 0, 1));

    second.start();
    second.tmux('pipe-pane', '-o', '-t', `inspect-e2e-first-cached-${process.pid}`, `cat >> '${record}'`);
    const s = await second.until((x) => /[├└]──/.test(x) && /Pkgs: +\+\d+ −\d+ ~\d+ packages?/.test(x), 'the first screen with its packages');
    expect(s).not.toContain('pending');
    // The cached index was read (a read marks the entry used), not rebuilt and written again.
    expect(statSync(index).mtimeMs).toBeGreaterThan(new Date(2020, 0, 1).getTime());
    expect(readdirSync(entries).filter((f) => f.startsWith('index-'))).toHaveLength(1);
    // What was drawn: a frame with the tree and the packages pending, before any frame with them.
    // eslint-disable-next-line no-control-regex
    const out = readFileSync(record, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const pending = out.indexOf('Pkgs:   pending (reading the package databases');
    const done = out.search(/Pkgs: +\+\d+ −\d+ ~\d+ packages?/);
    expect(pending).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(pending);
    // The tree was drawn before the packages were (the loading screen has no tree).
    expect(out.slice(0, done)).toMatch(/[├└]──/);
    second.keys('q');
    await second.until((x) => x.includes('EXIT:0'), 'the exit');
  }, 60_000);
});
