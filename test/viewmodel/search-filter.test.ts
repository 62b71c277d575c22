import { describe, expect, it } from 'vitest';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectLayout } from '../../src/viewmodel/layout.js';
import { selectStatusBar, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { selectCursorPath, selectTreeView } from '../../src/viewmodel/tree-view.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { scrollWithContext } from '../../src/viewmodel/search.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, dir, file, sampleAnalysis } from '../helpers/build-analysis.js';

const keymap = createKeymap();
const runOn = (a: ViewData) => (s: AppState, ...xs: (CommandId | Action)[]) =>
  xs.reduce((st, x) => reduce(a, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
const type = (text: string): Action[] => [...text].map((c) => ({ type: 'input.text', text: c }));

// One directory of 200 files, so a search can land far below the window.
const tall = imageView(buildAnalysis([{ command: 'ADD many', entries: [dir('d'), ...Array.from({ length: 200 }, (_, i) => file(`d/f${String(i).padStart(3, '0')}`, 10))] }]), { symbols: true });
const sample = imageView(sampleAnalysis(), { symbols: true });

describe('search', () => {
  const run = runOn(sample);
  const start = (): AppState => ({ ...createInitialState({ cols: 120, rows: 40 }), focus: 'tree' });
  const rows = (s: AppState) => selectTreePane(sample, s).lines.map(lineText);

  it('opening search does not move the tree: no input line above it, the prompt is in the status line', () => {
    const s = start();
    const open = run(s, 'search.open', ...type('pass'));
    expect(selectLayout(open, sample.analysis.layers.length).inputLine).toBe(false);
    expect(selectLayout(open, sample.analysis.layers.length).treeHeight).toBe(selectLayout(s, sample.analysis.layers.length).treeHeight);
    expect(selectTreePane(sample, open).input).toBeUndefined();
    expect(rows(open)[0]).toBe(rows(s)[0]);
    const bar = lineText(selectStatusBar(keymap, open, 120));
    expect(bar).toMatch(/^ Search: pass▏ +match 1\/1 /);
  });

  it('counts matches and says when n and N wrap around', () => {
    const a = tall;
    const r = runOn(a);
    let s = r({ ...createInitialState({ cols: 120, rows: 40 }), focus: 'tree' }, 'search.open', ...type('f19'), { type: 'input.submit' });
    // f190 … f199: 10 matches
    expect(s.message?.text).toBe('match 1/10');
    expect(a.analysis.tree.pathOf(selectCursorPath(a, s))).toBe('d/f190');
    s = r(s, 'search.next');
    expect(s.message?.text).toBe('match 2/10');
    s = r(s, 'search.prev', 'search.prev');
    expect(s.message?.text).toBe('match 10/10 · search wrapped to the bottom');
    expect(a.analysis.tree.pathOf(selectCursorPath(a, s))).toBe('d/f199');
    s = r(s, 'search.next');
    expect(s.message?.text).toBe('match 1/10 · search wrapped to the top');
    expect(a.analysis.tree.pathOf(selectCursorPath(a, s))).toBe('d/f190');
  });

  it('shows a match with context instead of on the window edge', () => {
    const r = runOn(tall);
    const s = r({ ...createInitialState({ cols: 120, rows: 30 }), focus: 'tree' }, 'search.open', ...type('f150'), { type: 'input.submit' });
    const v = selectTreeView(tall, s);
    expect(tall.analysis.tree.pathOf(selectCursorPath(tall, s))).toBe('d/f150');
    // at least three rows on either side of the match
    expect(v.cursorRow - v.scroll).toBeGreaterThanOrEqual(3);
    expect(v.scroll + v.height - 1 - v.cursorRow).toBeGreaterThanOrEqual(3);
  });

  it('keeps context near the edges and centres a row outside the window', () => {
    expect(scrollWithContext(0, 50, 20, 200)).toBe(40); // outside: centred
    expect(scrollWithContext(0, 18, 20, 200)).toBe(2); // inside, 1 row from the bottom: 3 rows below it
    expect(scrollWithContext(10, 11, 20, 200)).toBe(8); // inside, 1 row from the top
    expect(scrollWithContext(0, 199, 20, 200)).toBe(180); // the last row cannot have rows below it
    expect(scrollWithContext(0, 5, 20, 200)).toBe(0);
  });

  it('Esc cancels the search and takes its message with it', () => {
    const s = run(start(), 'search.open', ...type('pass'), { type: 'input.cancel' });
    expect(s.message).toBeUndefined();
    expect(s.search.editing).toBe(false);
  });
});

describe('filter', () => {
  const run = runOn(sample);
  it('Esc in the tree clears a kept filter (and only then means that)', () => {
    let s: AppState = { ...createInitialState({ cols: 120, rows: 40 }), focus: 'tree' };
    s = run(s, 'filter.open', ...type('curl'), { type: 'input.submit' });
    expect(s.filter).toEqual({ text: 'curl', editing: false });
    const out = interpretKey(keymap, s, 'esc', '\x1b');
    expect(out).toEqual({ kind: 'action', action: { type: 'filter.clear' } });
    if (out.kind !== 'action') return;
    const cleared = reduce(sample, s, out.action);
    expect(cleared.filter).toEqual({ text: '', editing: false });
    expect(selectLayout(cleared, sample.analysis.layers.length).inputLine).toBe(false);
    // without a filter Esc does nothing
    expect(interpretKey(keymap, cleared, 'esc', '\x1b')).toEqual({ kind: 'none' });
  });

  it('a kept filter and an open search: the filter line stays the filter, the prompt is in the status line', () => {
    let s: AppState = { ...createInitialState({ cols: 120, rows: 40 }), focus: 'tree' };
    s = run(s, 'filter.open', ...type('etc'), { type: 'input.submit' }, 'search.open', ...type('pass'));
    const pane = selectTreePane(sample, s);
    expect(lineText(pane.input!)).toMatch(/^Filter: etc +$/);
    expect(lineText(selectStatusBar(keymap, s, 120))).toContain('Search: pass▏');
  });
});
