import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';

const FIXTURE = fixtureImage('images', 'edge.docker-archive.tar');
const ready = tmuxReady('the tmux session', FIXTURE);

const app = inspector({ name: 'xs', args: [FIXTURE], cols: 120, rows: 36, env: { NO_COLOR: '' } });
const { keys, text, until } = app;
const status = (s: string) => s.trimEnd().split('\n').at(-1) ?? '';
/** The right column (the file tree) of the first rows. */
const treeTop = (s: string) =>
  s
    .split('\n')
    .slice(1, 6)
    .map((l) => l.slice(52))
    .join('\n');

describe.skipIf(!ready)('search, filter and extraction in the built binary (tmux)', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('search keeps the tree still, counts matches, wraps, and shows the match with context; Esc clears a kept filter', async () => {
    await until((s) => s.includes('Layers') && s.includes('changes of L0'), 'the inspector');
    keys('Tab');
    const before = await until((s) => s.includes('▌Files'), 'the tree focused');

    keys('/');
    let s = await until((x) => status(x).includes('Search: ▏'), 'the search prompt in the status line');
    expect(treeTop(s)).toBe(treeTop(before)); // no line was pushed in above the tree
    expect(s).not.toMatch(/Files.*\n.*Search:/);
    text('bin/ba');
    s = await until((x) => /Search: bin\/ba▏ +match 1\/\d+/.test(status(x)), 'the match count while typing');
    const total = Number(/match 1\/(\d+)/.exec(status(s))![1]);
    expect(total).toBeGreaterThan(1);
    keys('Enter');
    for (let i = 2; i <= total; i++) {
      keys('n');
      await until((x) => status(x).includes(`match ${i}/${total}`), `match ${i}`);
    }
    keys('n');
    await until((x) => status(x).includes(`match 1/${total} · search wrapped to the top`), 'the wrap notice');
    keys('N');
    await until((x) => status(x).includes(`match ${total}/${total} · search wrapped to the bottom`), 'the wrap notice going up');

    keys('C-f');
    text('etc');
    keys('Enter');
    await until((x) => x.includes('Filter: etc') && !x.includes('── bin'), 'a kept filter');
    keys('Escape');
    s = await until((x) => !x.includes('Filter:') && x.includes('── bin'), 'Esc clears the kept filter');
    expect(status(s)).toContain('filter cleared');

    // L9 adds /many/f0 … f2999: a match far down lands with rows below it, not on the edge
    keys('Tab');
    for (let i = 0; i < 9; i++) keys('j');
    await until((x) => x.includes('L9: changes of L9'), 'layer 9');
    keys('Tab', '/');
    text('f1500$');
    keys('Enter');
    s = await until((x) => x.includes('── f1500') && status(x).includes('match 1/1'), 'the match');
    expect(s).toContain('── f1503');
  });

  it('extraction: progress, a second Ctrl+E, Esc cancelling, a declined overwrite, a hidden path, the whole filesystem and the skip list', async () => {
    // /many at L9: 3000 files, long enough to watch and cancel
    keys('/');
    text('many$');
    keys('Enter');
    await until((x) => status(x).includes('match 1/1'), '/many');
    keys('C-e');
    // The totals show at once (0 of 3001), then the entries as they are written.
    await until((x) => /extracting \/many: [1-9]\d*\/3001 entries/.test(status(x)), 'progress in the status line');
    keys('C-e');
    await until((x) => status(x).includes('an extraction is running (Esc cancels) · extracting /many'), 'the second Ctrl+E explained');
    keys('Escape');
    let s = await until((x) => status(x).includes('extraction cancelled:'), 'the cancel report');
    const m = /extraction cancelled: (\d+) of 3001 entries/.exec(status(s))!;
    expect(Number(m[1])).toBeLessThan(3001);
    // every file left is whole: its number and a newline
    const files = readdirSync(join(app.cwd, 'many'));
    expect(files.length).toBeLessThan(3000);
    for (const f of files) expect(readFileSync(join(app.cwd, 'many', f), 'utf8')).toBe(`${f.slice(1)}\n`);
    rmSync(join(app.cwd, 'many'), { recursive: true, force: true });

    // aggregated view of the last layer with whiteouts shown: /data/a/f2 was whited out in L2
    keys('Tab', 'G', 'C-a', 'Tab', 'w');
    await until((x) => x.includes('aggregated L0–L11') && x.includes('whiteouts'), 'aggregated with whiteouts');
    keys('/');
    text('a/f2$');
    keys('Enter');
    await until((x) => x.includes('── f2') && status(x).includes('match 1/1'), 'the hidden /data/a/f2');
    keys('C-e');
    await until((x) => status(x).includes('extracted /data/a/f2 from L1 (a whiteout in L2 hides it at L11) to ./f2: 1 entry'), 'extracted from the layer below the whiteout');
    expect(readFileSync(join(app.cwd, 'f2'), 'utf8')).toBe('two\n');
    keys('C-e');
    await until((x) => status(x).includes('Overwrite 1 existing file (f2)? y/n'), 'the overwrite prompt');
    keys('n');
    await until((x) => status(x).includes('nothing extracted: 1 existing file left as it was'), 'the declined overwrite said');

    // the whole filesystem, from the layers pane
    keys('Tab', 'C-e');
    await until((x) => status(x).includes('Extract the whole filesystem of L11') && status(x).includes('into ./edge.docker-archive-L11/? y/n'), 'the extract-all prompt');
    keys('y');
    s = await until((x) => status(x).includes('extracted / from L11') && status(x).includes('skipped'), 'the whole filesystem extracted');
    expect(status(s)).toMatch(/^ extracted \/ from L11 into \.\/edge\.docker-archive-L11\/: \d+ entries, [\d.]+ [kM]B; skipped \d+: .*1 FIFO/);
    expect(readFileSync(join(app.cwd, 'edge.docker-archive-L11', 'data', 'keep', 'new'), 'utf8')).toBe('replaced\n');
    expect(existsSync(join(app.cwd, 'edge.docker-archive-L11', 'data', 'a', 'f2'))).toBe(false);
    keys('X');
    s = await until((x) => x.includes('Skipped by the last extraction'), 'the skip list');
    expect(s).toMatch(/data\/fifo +fifo/);
    keys('Escape');
    await until((x) => x.includes('Files') && !x.includes('Skipped by'), 'the list closed');
  });

  it('the wasted-files list: W, a move, Enter shows the path in the tree', async () => {
    keys('W');
    await until((x) => x.includes('▌Image details') && /1\/\d+ wasted files/.test(x), 'the list focused');
    keys('Enter');
    const s = await until((x) => x.includes('▌Files') && /: L\d+ is the last layer that wrote it/.test(status(x)), 'the jump');
    const [, path, layer] = /(\/\S+): L(\d+) is the last layer that wrote it/.exec(status(s))!;
    expect(s).toContain(`L${layer}: changes of L${layer}`);
    expect(s).toContain(`── ${path!.split('/').at(-1)}`);
    keys('q');
    await until((x) => x.includes('EXIT:0'), 'exit');
  });
});
