import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';
import { fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';

const OLD = fixtureImage('images', 'edge.oci-archive.tar');
const NEW = fixtureImage('images', 'edge-opaque.oci-archive.tar');
const ready = tmuxReady('the tmux comparison', OLD, NEW);

const app = inspector({ name: 'diff', args: ['diff', OLD, NEW], cols: 140, rows: 40, env: { NO_COLOR: '1' } });
const { flag, keys, until } = app;

describe.skipIf(!ready)('inspect-tui diff in tmux', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('opens the comparison, narrows to a NEW layer, sorts by size change, and quits cleanly', async () => {
    // The opaque layer is the one layer only NEW has; everything it hid in /data is removed.
    let s = await until((x) => x.includes('OLD → NEW') && x.includes('12 shared') && x.includes('Totals'), 'the comparison');
    expect(flag('alternate_on')).toBe('1');
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
    expect(flag('alternate_on')).toBe('0');
  });
});

const second = inspector({ name: 'compare', args: [OLD], cols: 140, rows: 40, env: { NO_COLOR: '1' }, cwd: ROOT });

describe.skipIf(!ready)('the compare prompt of the inspector in tmux', () => {
  beforeAll(() => second.start());
  afterAll(() => second.stop());

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
