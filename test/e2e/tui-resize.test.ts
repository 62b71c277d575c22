import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';

// dive's test image: 14 layers, so the layer list must scroll at 80x24.
const FIXTURE = fixtureImage('dive', 'test-docker-image.tar');
const ready = tmuxReady('the resize session', FIXTURE);

const app = inspector({ name: 'resize', args: [FIXTURE], cols: 160, rows: 45, env: { NO_COLOR: '' } });
const { tmux, session, keys, until } = app;

const SCORE = /Image efficiency score: \d+(\.\d)? %/;
/** The selected layer's row: the range marker, then its index. */
const SELECTED_L12 = /^● 12 /m;

/** Resizes the session's window and waits until the inspector has redrawn for the new size. */
async function resize(cols: number, rows: number, pred: (s: string) => boolean, what: string): Promise<string> {
  tmux('resize-window', '-t', session, '-x', String(cols), '-y', String(rows));
  return until((s) => {
    const lines = s.replace(/\n$/, '').split('\n');
    return lines.length === rows && lines.every((l) => l.length <= cols) && pred(s);
  }, `${what} at ${cols}x${rows}`);
}

describe.skipIf(!ready)('the built binary follows terminal resizes', () => {
  beforeAll(() => {
    app.start();
    // A detached session otherwise follows the size of the (absent) clients.
    tmux('set-option', '-t', session, 'window-size', 'manual');
  });
  afterAll(() => app.stop());

  it('keeps the score and the selected layer on screen from 160x45 to 80x24 and back, and says when it is too small', async () => {
    await until((s) => s.includes('Layers') && s.includes('Files') && SCORE.test(s), 'the inspector');
    for (let i = 0; i < 12; i++) keys('j');
    let s = await until((x) => x.includes('L12: changes of L12') && SELECTED_L12.test(x), 'layer 12 selected');
    expect(s).toMatch(/^ {3}0 /m); // every layer fits at 160x45

    s = await resize(80, 24, (x) => SCORE.test(x) && SELECTED_L12.test(x), 'the score and L12');
    expect(s).not.toMatch(/^ {3}0 /m); // the list scrolled to keep L12
    expect(s).toMatch(/Potential wasted space: \d/);
    expect(s).toMatch(/Reclaimable by squashing: \d/);
    expect(s).toMatch(/\? Help\s*$/m);
    expect(s.match(/Layers/g)).toHaveLength(1);

    s = await resize(160, 45, (x) => SCORE.test(x) && SELECTED_L12.test(x) && /^ {3}0 /m.test(x), 'the whole list again');
    expect(s).toMatch(/Permission +UID:GID +Size {2}Name/);

    s = await resize(30, 8, (x) => x.replace(/\s+/g, ' ').includes('terminal too small (need 60x15, have 30x8)'), 'the too-small notice');
    expect(s).not.toContain('Layers');

    s = await resize(100, 30, (x) => SCORE.test(x) && SELECTED_L12.test(x) && x.includes('L12: changes of L12'), 'recovery');
    expect(s).not.toContain('too small');

    keys('q');
    s = await until((x) => x.includes('EXIT:0'), 'exit');
  });
});
