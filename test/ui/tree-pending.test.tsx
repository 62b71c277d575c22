import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAnalysis, dir, file } from '../helpers/build-analysis.js';
import { mountApp } from './harness.js';

afterEach(() => cleanup());

/** More paths than a tree is built for on the spot (INLINE_TREE_PATHS), in three layers. */
function largeImage() {
  const base = [];
  for (let d = 0; d < 25; d++) {
    base.push(dir(`d${d}`));
    for (let f = 0; f < 900; f++) base.push(file(`d${d}/f${f}`, 1 + f));
  }
  return buildAnalysis([{ entries: base }, { entries: [file('d1/second', 7)] }, { entries: [file('d2/third', 9)] }]);
}

describe('the tree of a large image', () => {
  it('is said to be building, then drawn; keys move the layers meanwhile, and the last one wins', async () => {
    const { stdin, until, screen } = mountApp({ analysis: largeImage(), viewport: { cols: 120, rows: 30 } });
    await until((s) => s.includes('changes of L0') && s.includes('── d0'));
    // Two layer changes at once: both applied, the tree of the last drawn once built.
    stdin.write('jj');
    const s = await until((x) => x.includes('L2: changes of L2') && x.includes('── d0') && !x.includes('building the tree'));
    expect(s).toMatch(/L2: changes of L2 · 1\/\d+/);
    // Back to L1: its tree is drawn (built as L2's neighbour while idle, or now; that the
    // neighbours are built after the shown tree is test/viewmodel/tree-build.test.ts's, since
    // here it depends on how busy the machine is).
    stdin.write('k');
    const back = await until((x) => x.includes('L1: changes of L1') && x.includes('── d0') && !x.includes('building the tree'));
    expect(back).toMatch(/L1: changes of L1 · 1\/\d+/);
    expect(screen()).toContain('── d0');
  });

  it('echoes a filter keystroke at once and draws the filtered tree once built', async () => {
    const { stdin, until } = mountApp({ analysis: largeImage(), viewport: { cols: 120, rows: 30 } });
    await until((s) => s.includes('── d0'));
    stdin.write('\t\x06'); // the tree, then Ctrl+F
    stdin.write('f899');
    const s = await until((x) => x.includes('Filter: f899') && x.includes('── f899') && !x.includes('building the tree'));
    expect(s).not.toContain('── f898');
  });
});
