import { describe, expect, it } from 'vitest';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { selectFindingsLines } from '../../src/viewmodel/findings-view.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { selectStatusBar } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, selectRange, type AppState } from '../../src/viewmodel/state.js';
import { selectCursorPath } from '../../src/viewmodel/tree-view.js';
import { buildAnalysis, dir, file, whiteout } from '../helpers/build-analysis.js';
import { imageView } from '../../src/viewmodel/view-data.js';

const a = buildAnalysis([
  { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/conf', 1000, { content: 'c1' })] },
  { command: 'curl -o /tmp/big.tgz', entries: [dir('tmp'), file('tmp/big.tgz', 50000)] },
  { command: 'rm /tmp/big.tgz', entries: [whiteout('tmp/big.tgz')] },
  { command: 'chown -R app /etc', entries: [file('etc/conf', 1000, { content: 'c1', uid: 1000 })] },
]);
const v = imageView(a);
const km = createKeymap();
const key = (s: AppState, k: string, raw = k) => {
  const out = interpretKey(km, s, k as never, raw);
  return out.kind === 'action' ? reduce(v, s, out.action) : s;
};

describe('the findings panel', () => {
  it('e lists the findings by bytes with their layers, paths, commands and advice', () => {
    const s = key(createInitialState({ cols: 140, rows: 30 }), 'e');
    expect(s.overlay).toBe('findings');
    const lines = selectFindingsLines(v, s, 140).map(lineText);
    expect(lines[0]).toMatch(/^Findings +51 kB reclaimable, /); // 50 000 + 1 000
    expect(lines[1]).toMatch(/50 kB +deleted later +L1→L2 +\/tmp\/big\.tgz +RUN rm \/tmp\/big\.tgz/);
    expect(lines[2]).toMatch(/same RUN/);
    // L0 is the base (guessed from the history): chown-ing its files saves nothing
    expect(lines[3]).toMatch(/1\.0 kB +rewritten, base +L0→L3 +\/etc\/conf +RUN chown -R app \/etc/);
    expect(lines[4]).toContain("changing the owner or mode of the base image's files");
    expect(lineText(selectStatusBar(km, s, 140))).toContain('Enter Go to the layer and path');
  });

  it('Enter on a finding selects the layer it blames and the tree jumps to its largest path', () => {
    let s = key(createInitialState({ cols: 140, rows: 30 }), 'e');
    s = key(s, 'down', '\x1b[B');
    expect(s.findingsCursor).toBe(1);
    s = key(s, 'enter', '\r');
    expect(s.overlay).toBe('none');
    expect(s.focus).toBe('tree');
    expect(selectRange(s)).toEqual({ base: 2, top: 3 });
    expect(a.tree.pathOf(selectCursorPath(v, s))).toBe('etc/conf');
    // the first finding: the layer that deleted the file, with the removed file under the cursor
    let t = key(key(createInitialState({ cols: 140, rows: 30 }), 'e'), 'enter', '\r');
    expect(selectRange(t)).toEqual({ base: 1, top: 2 });
    expect(a.tree.pathOf(selectCursorPath(v, t))).toBe('tmp/big.tgz');
    t = key(key(t, 'e'), 'esc', '\x1b');
    expect(t.overlay).toBe('none');
  });

  it('Enter keeps a base marked below the blamed layer (the range then holds it), and says so when it clears one above', () => {
    let s = key(createInitialState({ cols: 140, rows: 30 }), 'm'); // base L0
    s = key(key(key(s, 'e'), 'down', '\x1b[B'), 'enter', '\r'); // blames L3
    expect(s.layers.mark).toBe(0);
    expect(selectRange(s)).toEqual({ base: 0, top: 3 });
    let t = key(key(key(key(createInitialState({ cols: 140, rows: 30 }), 'G'), 'm'), 'e'), 'enter', '\r'); // base L3, blames L2
    expect(t.layers.mark).toBeNull();
    expect(t.message?.text).toBe('base mark on L3 cleared: it is not below L2');
    t = key(t, 'j');
    expect(t.message).toBeUndefined();
  });
});
