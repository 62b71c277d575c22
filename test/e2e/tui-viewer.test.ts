import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

const ready = tmuxReady('the file viewer session');

// Colour on (NO_COLOR and CI unset), so the highlighting reaches the screen.
const app = inspector({ name: 'viewer', args: [EXAMPLE], cols: 120, rows: 36, env: { NO_COLOR: undefined } });
const { tmux, session, keys, text, until } = app;
/** The screen with its colours (SGR sequences), to see the highlighting. */
const coloured = () => tmux('capture-pane', '-t', session, '-p', '-e');

describe.skipIf(!ready)('the file viewer and file diff in the built binary', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('views a text file with line numbers and highlighting, a binary as hex, diffs two versions from the history, and q goes back each time', async () => {
    await until((s) => s.includes('L0: changes of L0'), 'the inspector');
    keys('j');
    await until((s) => s.includes('L1: changes of L1'), 'layer 1');

    // A C source: numbered lines, keywords coloured.
    keys('/');
    text('main.c');
    keys('Enter');
    await until((s) => /▌Files/.test(s) && !s.includes('Search:'), 'the search kept');
    keys('v');
    let s = await until((x) => x.includes('View /src/main.c') && /1 │ int main\(void\) \{ return 0; \}/.test(x), 'the C source in the viewer');
    expect(s).toContain('text (c)');
    expect(s).toMatch(/Esc\/q.*Back/);
    // `int` is drawn in a colour of its own (an SGR sequence right before it).
    expect(coloured()).toMatch(/\x1b\[[0-9;]*m+int\x1b\[/);
    // Search inside the file: a count in the status line.
    keys('/');
    text('RETURN');
    keys('Enter');
    await until((x) => x.includes('RETURN: match 1/1'), 'the search result');
    keys('q');
    await until((x) => x.includes('Layers') && !x.includes('View /src/main.c'), 'back to the panes');

    // A binary: a hex dump with offsets and ASCII.
    keys('/');
    text('busybox');
    keys('Enter');
    await until((x) => !x.includes('Search:'), 'the search kept');
    keys('v');
    s = await until((x) => x.includes('View /bin/busybox') && /^00000000 {2}([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|.{16}\|/m.test(x), 'the hex dump');
    expect(s).toContain('binary');
    expect(s).toMatch(/^00000010 {2}/m);
    keys('G');
    await until((x) => /^0000bb70 {2}/m.test(x), 'the end of the file');
    keys('q');
    await until((x) => x.includes('Layers') && !x.includes('View /bin/busybox'), 'back to the panes');

    // /etc/passwd changed in L1: its history, focused with Tab, diffs L0 → L1 with d.
    keys('/');
    text('passwd');
    keys('Enter');
    await until((x) => !x.includes('Search:'), 'the search kept');
    keys('f');
    await until((x) => x.includes('File history') && /L1 modified/.test(x), 'the file history');
    keys('Tab');
    s = await until((x) => x.includes('▌File history'), 'the history panel focused');
    expect(s).toContain('Space Mark');
    expect(s).toContain('d Diff'); // the status bar lists the history panel's keys first
    keys('d');
    s = await until((x) => x.includes('Diff /etc/passwd') && x.includes('+app:x:1000:1000::/home/app:/bin/sh'), 'the diff');
    expect(s).toContain('L0 → L1');
    expect(s).toContain('--- /etc/passwd (L0)');
    expect(s).toContain('+++ /etc/passwd (L1)');
    expect(s).toContain('@@ -1,1 +1,2 @@');
    expect(s).toMatch(/^ root:x:0:0:root:\/root:\/bin\/sh/m);
    keys('q');
    await until((x) => x.includes('▌File history') && !x.includes('Diff /etc/passwd'), 'back to the history');

    keys('q');
    expect(await until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});

describe.skipIf(!ready)('the file viewer on an image piped on stdin (which cannot be read twice)', () => {
  const t = inspector({ name: 'viewer-stdin', args: ['-'], stdin: EXAMPLE, cols: 120, rows: 30, env: { NO_COLOR: '' } });
  afterAll(() => t.stop());

  it('says in one line that the contents are not kept, and goes back', async () => {
    t.start();
    await t.until((x) => x.includes('L0: changes of L0'), 'the inspector');
    t.keys('Tab', 'j', 'j', 'j', 'j', 'j', 'j');
    await t.until((x) => /7\/13/.test(x), 'the cursor on /etc/passwd');
    t.keys('v');
    const s = await t.until((x) => x.includes('View /etc/passwd') && x.includes('read from stdin'), 'the message');
    expect(s).toContain('cannot read /etc/passwd');
    t.keys('q');
    await t.until((x) => x.includes('Layers'), 'back');
    t.keys('q');
    expect(await t.until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
