import { describe, expect, it } from 'vitest';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectTreePane } from '../../src/viewmodel/rows.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { selectCursorPath } from '../../src/viewmodel/tree-view.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';

const a = sampleAnalysis();
const data = imageView(a, { symbols: true });
const run = (s: AppState, ...ids: (CommandId | Action)[]) =>
  ids.reduce((st, x) => reduce(data, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
/** Tree rows as text without attributes, trailing blanks cut. */
const tree = (s: AppState) =>
  selectTreePane(data, { ...s, tree: { ...s.tree, attributes: false } })
    .lines.map(lineText)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
const cursorName = (s: AppState) => `/${a.tree.pathOf(selectCursorPath(data, s))}`;
const start = (layer = 0): AppState => run({ ...createInitialState({ cols: 120, rows: 40 }), focus: 'tree' }, { type: 'layers.select', layer });

describe('file tree rows', () => {
  it('shows the base layer as all added, with tree glyphs and symlink targets', () => {
    expect(tree(start(0))).toEqual([
      '+ ├── etc',
      '+ │   ├── hosts',
      '+ │   └── passwd',
      '+ ├── usr',
      '+ │   └── bin',
      '+ │       ├── ash → sh',
      '+ │       └── sh',
      '+ └── var',
      '+     └── cache',
      '+         ├── a',
      '+         └── b',
    ]);
  });

  it('marks a layer\'s own changes: modified content, an added file, a whiteout shown as removed', () => {
    const rows = tree(run(start(1), 'tree.toggleUnmodified'));
    expect(rows).toEqual(['~ ├── etc', '- │   ├── hosts', '~ │   └── passwd', '~ └── usr', '~     └── bin', '+         └── curl']);
  });

  it('aggregated mode compares with the empty image: nothing is removed, whiteouts hide silently', () => {
    const s = run(start(2), { type: 'command', id: 'app.switchPane' }, 'layers.compareAggregated', 'app.switchPane');
    // Everything present at L2, all added; /etc/hosts (whited out in L1) and /var/cache (in L2)
    // are simply absent, not shown as removed.
    expect(tree(s)).toEqual([
      '+ ├── etc',
      '+ │   └── passwd',
      '+ ├── usr',
      '+ │   └── bin',
      '+ │       ├── ash → sh',
      '+ │       ├── curl',
      '+ │       └── sh',
      '+ └── var/', // empty now: its cache went in L2
    ]);
  });

  it('the whiteouts toggle shows what the range hid, labelled with the layer that hid it', () => {
    const s = run(start(2), 'app.switchPane', 'layers.compareAggregated', 'app.switchPane', 'tree.toggleWhiteouts');
    const rows = tree(s);
    expect(rows).toContain('x │   ├── hosts  ← whiteout in L1');
    expect(rows).toContain('x     └── cache  ← whiteout in L2');
    expect(rows).toContain('x         ├── a');
  });

  it('an opaque directory is labelled with its directory', () => {
    const s = run(start(3), 'tree.toggleWhiteouts', 'tree.toggleUnmodified');
    expect(tree(s)).toContain('-         ├── ash → sh  ← opaque /usr/bin in L3');
    expect(tree(s)).toContain('+         ├── only');
  });

  it('a marked base compares any range', () => {
    let s = run(start(0), 'app.switchPane'); // layers pane
    s = run(s, 'layers.markBase', 'cursor.down', 'cursor.down', 'app.switchPane', 'tree.toggleUnmodified');
    const rows = tree(s);
    // L0 → L2: passwd changed (content and mode), hosts and the cache gone, curl new
    expect(rows).toContain('~ │   └── passwd');
    expect(rows).toContain('- │   ├── hosts');
    expect(rows).toContain('-     └── cache');
    expect(rows).toContain('+ │       └── curl');
  });

  it('hides and shows each diff kind', () => {
    const s = start(1);
    expect(tree(run(s, 'tree.toggleAdded')).some((r) => r.includes('curl'))).toBe(false);
    expect(tree(run(s, 'tree.toggleRemoved')).some((r) => r.includes('hosts'))).toBe(false);
    expect(tree(run(s, 'tree.toggleModified')).some((r) => r.includes('passwd'))).toBe(false);
    expect(tree(run(s, 'tree.toggleAdded', 'tree.toggleAdded')).some((r) => r.includes('curl'))).toBe(true);
  });

  it('sorts by size: the largest directory first, and back by name', () => {
    const s = run(start(1), 'tree.toggleSort');
    expect(tree(s)[0]).toBe('~ ├── usr');
    expect(tree(run(s, 'tree.toggleSort'))[0]).toBe('~ ├── etc');
  });

  it('filters by path regex, keeping ancestors; invalid regex matches as text', () => {
    let s = run(start(0), 'filter.open');
    for (const ch of 'pass') s = reduce(data, s, { type: 'input.text', text: ch });
    expect(tree(s)).toEqual(['+ └── etc', '+     └── passwd']);
    s = reduce(data, s, { type: 'input.submit' });
    expect(s.filter).toEqual({ text: 'pass', editing: false });
    s = run(s, 'filter.open', { type: 'input.cancel' });
    expect(tree(s)).toHaveLength(11);
    let bad = run(start(0), 'filter.open');
    bad = reduce(data, bad, { type: 'input.text', text: 'sh[' });
    expect(selectTreePane(data, bad).input && lineText(selectTreePane(data, bad).input!)).toContain('not a regex');
  });
});

describe('cursor, paging and collapse', () => {
  it('moves, pages and jumps to the ends', () => {
    let s = start(0);
    expect(cursorName(s)).toBe('/etc');
    s = run(s, 'cursor.down', 'cursor.down');
    expect(cursorName(s)).toBe('/etc/passwd');
    s = run(s, 'cursor.up');
    expect(cursorName(s)).toBe('/etc/hosts');
    s = run(s, 'cursor.bottom');
    expect(cursorName(s)).toBe('/var/cache/b');
    s = run(s, 'cursor.top');
    expect(cursorName(s)).toBe('/etc');
    const small = run({ ...start(0), viewport: { cols: 80, rows: 8 } });
    const paged = run(small, 'cursor.pageDown');
    const h = selectTreePane(data, small).lines.length;
    expect(paged.tree.cursorPath).toBe(a.tree.find(['etc', 'etc/hosts', 'etc/passwd', 'usr', 'usr/bin', 'usr/bin/ash', 'usr/bin/sh', 'var'][h]!));
    expect(run(paged, 'cursor.pageUp').tree.cursorPath).toBe(a.tree.find('etc'));
  });

  it('keeps the cursor on the same path across layers, or on its nearest shown ancestor', () => {
    let s = run(start(0), 'cursor.bottom'); // /var/cache/b
    s = run(s, { type: 'layers.select', layer: 1 });
    expect(cursorName(s)).toBe('/var/cache/b');
    s = run(s, 'filter.open', { type: 'input.text', text: 'cache$' }, { type: 'input.submit' });
    const pane = selectTreePane(data, s);
    expect(lineText(pane.lines.find((l) => l.selected)!)).toContain('cache');
    expect(s.tree.cursorPath).toBe(a.tree.find('var/cache/b')); // remembered, not lost
  });

  it('collapses and expands one directory, and all of them', () => {
    let s = start(0); // cursor on /etc
    s = run(s, 'tree.collapse');
    expect(tree(s)[0]).toBe('+ ├─⊕ etc');
    expect(tree(s)).toHaveLength(9);
    s = run(s, 'tree.collapse');
    expect(tree(s)).toHaveLength(11);
    s = run(s, 'cursor.down', 'tree.collapseAll');
    expect(tree(s)).toEqual(['+ ├─⊕ etc', '+ ├─⊕ usr', '+ └─⊕ var']);
    expect(cursorName(s)).toBe('/etc');
    s = run(s, 'cursor.down', 'tree.into');
    expect(cursorName(s)).toBe('/usr/bin');
    expect(tree(s)).toEqual(['+ ├─⊕ etc', '+ ├── usr', '+ │   └─⊕ bin', '+ └─⊕ var']);
    s = run(s, 'tree.parent');
    expect(cursorName(s)).toBe('/usr');
    s = run(s, 'tree.collapseAll');
    expect(tree(s)).toHaveLength(11);
  });
});

describe('search', () => {
  it('jumps to the next match as you type, then n/N cycle, Esc goes back', () => {
    let s = run(start(0), 'search.open');
    s = reduce(data, s, { type: 'input.text', text: 's' });
    expect(cursorName(s)).toBe('/etc/hosts');
    s = reduce(data, s, { type: 'input.text', text: 'h$' });
    expect(cursorName(s)).toBe('/usr/bin/ash');
    s = reduce(data, s, { type: 'input.submit' });
    s = run(s, 'search.next');
    expect(cursorName(s)).toBe('/usr/bin/sh');
    s = run(s, 'search.next');
    expect(cursorName(s)).toBe('/usr/bin/ash'); // wraps
    s = run(s, 'search.prev');
    expect(cursorName(s)).toBe('/usr/bin/sh');
    let t = run(start(0), 'search.open');
    t = reduce(data, t, { type: 'input.text', text: 'cache/b' });
    expect(cursorName(t)).toBe('/var/cache/b');
    t = reduce(data, t, { type: 'input.cancel' });
    expect(cursorName(t)).toBe('/etc');
  });

  it('expands collapsed directories to show a match', () => {
    let s = run(start(0), 'tree.collapseAll', 'search.open');
    s = reduce(data, s, { type: 'input.text', text: 'curl|/b$' });
    expect(cursorName(s)).toBe('/var/cache/b');
    expect(tree(s)).toContain('+         └── b');
  });
});
