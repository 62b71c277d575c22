import { describe, expect, it } from 'vitest';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectStatusBar, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';

const a = sampleAnalysis();
const view = imageView(a);
const keymap = createKeymap();
const run = (s: AppState, ...xs: (CommandId | Action)[]) => xs.reduce((st, x) => reduce(view, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
const tree = (cols: number, rows = 45): AppState => ({ ...createInitialState({ cols, rows }), focus: 'tree' });
const bar = (s: AppState, width = s.viewport.cols) => selectStatusBar(keymap, s, width);

describe("the status bar's diff-kind toggles", () => {
  it("at 160 columns shows dive's ^A Added ^R Removed ^M Modified ^U Unmodified beside the most used keys", () => {
    const text = lineText(bar(tree(160)));
    expect(text).toContain('^A Added ^R Removed ^M Modified ^U Unmodified');
    for (const k of ['Tab Switch view', 'Space Collapse', 'v View', '/ Search']) expect(text).toContain(k);
    expect(text.trimEnd().endsWith('? Help')).toBe(true);
  });

  it('a hidden kind is drawn off (dimmed), and the title names the hidden kinds with spaces', () => {
    const s = run(tree(160), 'tree.toggleRemoved', 'tree.toggleModified', 'tree.toggleUnmodified');
    const segs = bar(s).segments;
    const style = (label: string) => segs.find((x) => x.text === ` ${label}`)?.style;
    expect(style('Added')).toBe('label');
    expect(style('Removed')).toBe('label-off');
    expect(style('Modified')).toBe('label-off');
    expect(style('Unmodified')).toBe('label-off');
    expect(lineText(selectTreePane(view, s).title)).toContain('hiding removed, modified, unmodified');
  });

  it('where the words do not fit, a compact ^A+ ^R- ^M~ ^U= keeps every toggle and its state (· for hidden)', () => {
    const s = run(tree(120), 'tree.toggleModified');
    const text = lineText(bar(s));
    expect(text).toContain('^A+ ^R- ^M· ^U=');
    expect(text).not.toContain('Modified');
  });
});

describe('status messages', () => {
  it('a search result leads the bar and the keys stay after it', () => {
    const s = run(tree(160), 'search.open', { type: 'input.text', text: 'passwd' }, { type: 'input.submit' });
    const text = lineText(bar(s));
    expect(text).toMatch(/^ match 1\/1 │ Tab Switch view/);
    expect(text).toContain('? Help');
  });

  it('a resize drops a note about the old screen (a match count), but keeps an error until a key', () => {
    const found = run(tree(160), 'search.open', { type: 'input.text', text: 'passwd' }, { type: 'input.submit' });
    expect(found.message?.text).toBe('match 1/1');
    expect(run(found, { type: 'resize', viewport: { cols: 100, rows: 30 } }).message).toBeUndefined();
    const error = run(tree(160), { type: 'message', text: 'config.yaml: unknown command "x"', tone: 'error' });
    expect(run(error, { type: 'resize', viewport: { cols: 100, rows: 30 } }).message?.text).toContain('unknown command');
  });

  it('the mouse clears the last message as a key does', () => {
    const s = run(tree(160), { type: 'message', text: 'filter cleared', tone: 'info' });
    expect(run(s, { type: 'layers.select', layer: 1 }).message).toBeUndefined();
    expect(run(s, { type: 'focus', pane: 'layers' }).message).toBeUndefined();
    expect(run(s, { type: 'scroll', pane: 'tree', delta: 3 }).message).toBeUndefined();
  });
});
