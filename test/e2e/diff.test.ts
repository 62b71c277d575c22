import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, tmuxSession } from '../helpers/tmux.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGES = join(ROOT, '..', 'shared', 'fixtures', 'images');
const OLD = join(IMAGES, 'edge.oci-archive.tar');
const NEW = join(IMAGES, 'edge-opaque.oci-archive.tar');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const CACHE = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));
const ready = hasTmux && existsSync(OLD) && existsSync(NEW);
if (!ready) console.warn(`skipping the tmux comparison: ${hasTmux ? 'no fixtures at ../shared/fixtures' : 'tmux is not installed'}`);

const session = `inspect-diff-e2e-${process.pid}`;
const { tmux, keys, until } = tmuxSession(session);

describe.skipIf(!ready)('inspect-tui diff in tmux', () => {
  let cwd: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    cwd = mkdtempSync(join(tmpdir(), 'inspect-diff-e2e-'));
    const cmd = `env -u CI NO_COLOR=1 XDG_CACHE_HOME='${CACHE}' node '${MAIN}' diff '${OLD}' '${NEW}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '40', '-c', cwd, cmd);
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    rmSync(CACHE, { recursive: true, force: true });
  });

  it('opens the comparison, narrows to a NEW layer, sorts by size change, and quits cleanly', async () => {
    // The opaque layer is the one layer only NEW has; everything it hid in /data is removed.
    let s = await until((x) => x.includes('OLD → NEW') && x.includes('12 shared') && x.includes('Totals'), 'the comparison');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');
    expect(s).toMatch(/\+ NEW L12 .*RUN/);
    expect(s).toMatch(/Layers\s+12 →\s+13\s+\+1/);
    expect(s).toContain('only-this');
    expect(s).toMatch(/- .*big\.bin/); // removed, with the symbol column (NO_COLOR)

    keys('C-o');
    s = await until((x) => x.includes('by size change'), 'the sort by size change');
    // largest growth first: in /data, the added only-this first and the removed big.bin last
    const rows = s.split('\n').filter((l) => /[├└]── /.test(l));
    expect(rows[0]).toMatch(/-524 kB +└── data/);
    expect(rows[1]).toMatch(/\+19 B .*only-this/);
    expect(rows.at(-1)).toMatch(/-524 kB .*big\.bin/);

    keys('Tab', 'G');
    s = await until((x) => x.includes('paths NEW L12 wrote'), 'narrowing to NEW L12');
    expect(s).toContain('only-this');

    keys('g');
    await until((x) => x.includes('OLD → NEW ·'), 'all changes again');

    keys('q');
    s = await until((x) => x.includes('EXIT:0'), 'exit');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
  });
});

const session2 = `inspect-compare-e2e-${process.pid}`;
const second = tmuxSession(session2);

describe.skipIf(!ready)('the compare prompt of the inspector in tmux', () => {
  beforeAll(() => {
    const cmd = `env -u CI NO_COLOR=1 XDG_CACHE_HOME='${CACHE}' node '${MAIN}' '${OLD}'; echo "EXIT:$?"; exec sleep 600`;
    second.tmux('new-session', '-d', '-s', session2, '-x', '140', '-y', '40', '-c', ROOT, cmd);
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session2]);
  });

  it('c, the other image and Enter open the comparison; a bad name comes back as a message', async () => {
    await second.until((x) => x.includes('changes of L0'), 'the inspector');
    second.keys('c');
    await second.until((x) => x.includes('Compare with:'), 'the prompt');
    second.text('no-such-image.tar');
    second.keys('Enter');
    await second.until((x) => x.includes('cannot compare') && x.includes('no-such-image.tar') && x.includes('changes of L0'), 'the refusal');
    second.keys('c');
    await second.until((x) => x.includes('Compare with:'), 'the prompt again');
    second.text(NEW);
    second.keys('Enter');
    const s = await second.until((x) => x.includes('OLD → NEW') && x.includes('12 shared'), 'the comparison');
    expect(s).toContain('only-this');
    second.keys('q');
    await second.until((x) => x.includes('EXIT:0'), 'exit');
  });
});
