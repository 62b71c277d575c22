import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';

const FIXTURE = fixtureImage('images', 'edge.docker-archive.tar');
const ready = tmuxReady('the viewer search session', FIXTURE);

const app = inspector({ name: 'viewer-search', args: [FIXTURE], cols: 120, rows: 30, env: { NO_COLOR: '' } });
const { keys, text, until } = app;

/** Puts the tree's cursor on a path by searching for it (the search kept with Enter). */
async function goTo(path: string) {
  keys('/');
  text(path);
  keys('Enter');
  await until((s) => !s.includes('Search:') && s.includes(`/${path}`), `the cursor on /${path}`);
}

describe.skipIf(!ready)('searching in the file viewer of the built binary (edge: a real busybox)', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('the hex view finds text in the ASCII column, hex pairs as bytes and goes to an @offset; counts come from the whole 1.9 MB file', async () => {
    await until((s) => s.includes('changes of L0'), 'the inspector');
    keys('Tab');
    await goTo('bin/busybox');
    keys('v');
    await until((s) => s.includes('View /bin/busybox') && /^00000000 {2}7f 45 4c 46/m.test(s), 'the hex dump');

    keys('/');
    let s = await until((x) => x.includes('Search:'), 'the search prompt');
    expect(s).toContain('@0x200 goes to an offset');
    text('ELF');
    keys('Enter');
    s = await until((x) => /ELF: match 1\/\d+/.test(x), 'ELF found and counted');
    expect(s).not.toContain('no match');

    keys('/');
    text('7f 45');
    keys('Enter');
    await until((x) => /7f 45: match 1\/\d+/.test(x), '7f 45 found');

    keys('/');
    text('0000');
    keys('Enter');
    s = await until((x) => /0000: match \d+\/\d+/.test(x), '0000 found');
    const total = Number(/0000: match \d+\/(\d+)/.exec(s)![1]);
    expect(total).toBeGreaterThan(100);

    keys('/');
    text('@0x200');
    keys('Enter');
    s = await until((x) => x.includes('@0x200: match at 0x200'), 'the offset');
    expect(s).toMatch(/^00000200 {2}/m);
    keys('q');
    await until((x) => x.includes('Layers') && !x.includes('View /bin/busybox'), 'back to the panes');
  });

  it('text search counts occurrences: /root in /etc/passwd is 1/3, then 2/3 on the same line', async () => {
    await goTo('etc/passwd');
    keys('v');
    await until((s) => s.includes('View /etc/passwd') && s.includes('root:x:0:0:root:/root:/bin/sh'), 'the file');
    keys('/');
    text('root');
    keys('Enter');
    await until((s) => s.includes('root: match 1/3'), 'the first of three');
    keys('n');
    await until((s) => s.includes('root: match 2/3'), 'the second, on the same line');
    keys('q');
    await until((x) => x.includes('Layers') && !x.includes('View /etc/passwd'), 'back to the panes');
  });

  it('v on a hard link shows the file it is the same as', async () => {
    keys('G'); // the tree's last row; then the layers: the last layer has everything
    keys('Tab');
    keys('G');
    keys('C-a');
    await until((s) => s.includes('aggregated L0–L'), 'all layers aggregated');
    keys('Tab');
    // The layer's tar holds bb-hard as the file and bb2 as the link to it.
    await goTo('usr/bin/bb2');
    keys('v');
    const s = await until((x) => x.includes('View /usr/bin/bb2') && /^00000000 {2}7f 45 4c 46/m.test(x), 'the linked file');
    expect(s).toContain('hard link to /usr/bin/bb-hard');
    keys('q');
    await until((x) => x.includes('Layers'), 'back');
    keys('q');
    expect(await until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
