import { describe, expect, it } from 'vitest';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectImageDetails, selectStatusBar } from '../../src/viewmodel/rows.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { selectCursorPath, selectTreeView } from '../../src/viewmodel/tree-view.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { imageDirName, selectExtractTarget, summariseSkipped } from '../../src/viewmodel/extract-view.js';
import { selectWasteTarget } from '../../src/viewmodel/waste-view.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { buildAnalysis, dir, file, sampleAnalysis } from '../helpers/build-analysis.js';

const a = sampleAnalysis();
const keymap = createKeymap();
const data = imageView(a, { symbols: true });
const run = (s: AppState, ...xs: (CommandId | Action)[]) => xs.reduce((st, x) => reduce(data, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
const type = (text: string): Action[] => [...text].map((c) => ({ type: 'input.text', text: c }));
const at = (layer: number, focus: AppState['focus'] = 'tree'): AppState => ({ ...run(createInitialState({ cols: 120, rows: 40 }), { type: 'layers.select', layer }), focus });
const find = (s: AppState, text: string) => run(s, 'search.open', ...type(text), { type: 'input.submit' });
const key = (s: AppState, k: string, raw = k) => interpretKey(keymap, s, k, raw);

describe('the overwrite prompt', () => {
  it('n leaves a message saying nothing was extracted and how many files were kept', () => {
    const s = run(at(1), { type: 'prompt.overwrite', path: '/etc', existing: ['etc/passwd', 'etc/hosts'] });
    const out = key(s, 'n');
    expect(out).toEqual({ kind: 'action', action: { type: 'prompt.decline' } });
    if (out.kind !== 'action') return;
    const after = reduce(data, s, out.action);
    expect(after.prompt).toBeUndefined();
    expect(after.message?.text).toBe('nothing extracted: 2 existing files left as they were');
    const one = reduce(data, run(at(1), { type: 'prompt.overwrite', path: '/x', existing: ['x'] }), { type: 'prompt.decline' });
    expect(one.message?.text).toBe('nothing extracted: 1 existing file left as it was');
  });

  it('y answers with the target the prompt was asked for', () => {
    const target = { pathId: 0, layer: 2, into: 'img-L2' };
    const s = run(at(2), { type: 'prompt.overwrite', path: '/', existing: ['img-L2/etc'], target });
    expect(key(s, 'y')).toEqual({ kind: 'action', action: { type: 'extract.start', overwrite: true, target } });
  });
});

describe('what Ctrl+E extracts', () => {
  it('a path the selected layer has: from that layer', () => {
    const s = find(at(1), 'curl');
    expect(selectExtractTarget(data, s)).toEqual({ pathId: a.tree.find('usr/bin/curl'), layer: 1 });
  });

  it('a path a later whiteout hid (shown with w): from the layer below the whiteout, saying so', () => {
    // aggregated to L2: /var/cache was whited out in L2, /etc/hosts in L1
    let s = run(at(2, 'layers'), 'layers.compareAggregated', 'app.switchPane', 'tree.toggleWhiteouts');
    s = find(s, 'cache/a');
    expect(a.tree.pathOf(selectCursorPath(data, s))).toBe('var/cache/a');
    expect(selectExtractTarget(data, s)).toEqual({ pathId: a.tree.find('var/cache/a'), layer: 1, note: 'a whiteout in L2 hides it at L2' });
    s = find(s, 'hosts');
    expect(selectExtractTarget(data, s)).toEqual({ pathId: a.tree.find('etc/hosts'), layer: 0, note: 'a whiteout in L1 hides it at L2' });
  });

  it('a path the layer removed (its own changes): from the base of the range', () => {
    const s = find(at(1), 'hosts');
    expect(selectExtractTarget(data, s)).toEqual({ pathId: a.tree.find('etc/hosts'), layer: 0, note: 'L1 no longer has it' });
  });

  it('the whole filesystem from the layers pane: asks first, into a directory named after the image', () => {
    const s = run(at(3, 'layers'), 'layers.extract');
    expect(s.prompt).toEqual({ kind: 'extractAll', path: '/', target: { pathId: 0, layer: 3, into: 'test-L3' }, bytes: a.tree.treeSizes(3)[0] });
    expect(lineText(selectStatusBar(keymap, s, 120))).toContain('Extract the whole filesystem of L3 (');
    expect(lineText(selectStatusBar(keymap, s, 120))).toContain('into ./test-L3/? y/n');
    expect(key(s, 'y')).toEqual({ kind: 'action', action: { type: 'extract.start', overwrite: false, target: { pathId: 0, layer: 3, into: 'test-L3' } } });
    expect(reduce(data, s, { type: 'prompt.decline' }).message?.text).toBe('nothing extracted');
  });

  it('an empty tree (everything hidden) means the whole filesystem too; a filter that hides all means nothing', () => {
    const s = run(at(1), 'tree.toggleAdded', 'tree.toggleRemoved', 'tree.toggleModified', 'tree.toggleUnmodified');
    expect(selectTreeView(data, s).rows.count).toBe(0);
    expect(selectExtractTarget(data, s)).toEqual({ all: true });
    const f = run(at(1), 'filter.open', ...type('nothing-has-this'), { type: 'input.submit' });
    expect(selectExtractTarget(data, f)).toEqual({ error: 'nothing selected to extract (the filter hides every path)' });
  });

  it.each([
    // an archive's name without its extension
    ['docker-archive:/tmp/x/example-image.tar', 'example-image-L4'],
    ['examples/example-image.tar', 'example-image-L4'],
    ['oci-archive:build/app.oci.tar.gz', 'app-L4'],
    ['docker-archive:edge.tar:app:1', 'edge_app_1-L4'],
    ['docker.io/library/alpine:3.19', 'alpine_3.19-L4'],
    ['localhost:5000/team/app@sha256:0123abcd', 'app-L4'],
    ['oci:../../..', 'image-L4'],
    ['docker-archive:/tmp/\u001b[31mevil name', '_31mevil_name-L4'],
  ])('directory name for %s: %s', (ref, name) => expect(imageDirName(ref, 4)).toBe(name));
});

describe('while an extraction runs', () => {
  const running: AppState = {
    ...at(1),
    extraction: { request: { target: { pathId: a.tree.find('usr')!, layer: 1 }, overwrite: false }, progress: { path: '/usr', entries: 3, totalEntries: 10, bytes: 2000, totalBytes: 8000 }, cancelled: false },
  };
  it('the status line shows its progress and that Esc cancels', () => {
    expect(lineText(selectStatusBar(keymap, running, 120))).toMatch(/^ extracting \/usr: 3\/10 entries, 2\.0 kB of 8\.0 kB \(25 %\)  Esc Cancel/);
  });
  it('Esc cancels it; Ctrl+E again says one is running instead of doing nothing', () => {
    expect(key(running, 'esc', '\x1b')).toEqual({ kind: 'action', action: { type: 'extract.cancel' } });
    const again = key(running, 'ctrl+e', '\x05');
    expect(again).toEqual({ kind: 'action', action: { type: 'message', text: 'an extraction is running (Esc cancels)', tone: 'info' } });
    if (again.kind !== 'action') return;
    const line = lineText(selectStatusBar(keymap, reduce(data, running, again.action), 120));
    expect(line).toContain('an extraction is running (Esc cancels)');
    expect(line).toContain('extracting /usr: 3/10');
    expect(key({ ...running, focus: 'layers' }, 'ctrl+e', '\x05')).toEqual(again);
  });
  it('starting one clears the last message (a search count) from the status line', () => {
    const s = run({ ...at(1), message: { text: 'match 1/3', tone: 'info' } }, 'tree.extract');
    expect(s.extraction).toBeDefined();
    expect(s.message).toBeUndefined();
    expect(lineText(selectStatusBar(keymap, s, 120))).not.toContain('match 1/3');
    const kept = reduce(data, { ...running, message: { text: 'an extraction is running (Esc cancels)', tone: 'info' } }, { type: 'extract.progress', progress: { entries: 4, totalEntries: 10, bytes: 2500, totalBytes: 8000 } });
    expect(kept.message?.text).toBe('an extraction is running (Esc cancels)');
  });
  it('its end leaves the report, and X lists what it skipped', () => {
    const skipped = [
      { path: 'dev/null', reason: 'char-device', kind: 'device' },
      { path: 'dev/sda', reason: 'block-device', kind: 'device' },
      { path: '../x', reason: 'unsafe name', kind: 'unsafe name' },
    ];
    const s = reduce(data, running, { type: 'extract.end', text: 'done', tone: 'info', skipped });
    expect(s.extraction).toBeUndefined();
    expect(s.message?.text).toBe('done');
    const list = run(s, 'extract.skipped');
    expect(list.overlay).toBe('skipped');
    expect(run(list, 'extract.skipped').overlay).toBe('none');
  });
});

describe('an extraction is a request in the state, served by the UI', () => {
  it('Ctrl+E asks for one; the UI\'s progress and end come back as actions; Esc marks it for the UI to stop', () => {
    let s = find(at(1), 'curl');
    s = run(s, 'tree.extract');
    const request = s.extraction?.request;
    expect(request).toEqual({ target: { pathId: a.tree.find('usr/bin/curl'), layer: 1 }, overwrite: false });
    expect(s.extraction?.progress).toEqual({ path: '/usr/bin/curl', entries: 0, totalEntries: 0, bytes: 0, totalBytes: 0 });
    expect(s.extraction?.cancelled).toBe(false);
    // progress keeps the request (the UI starts one run per request object) and shows in the status line
    s = reduce(data, s, { type: 'extract.progress', progress: { entries: 1, totalEntries: 4, bytes: 500, totalBytes: 2000 } });
    expect(s.extraction?.request).toBe(request);
    expect(lineText(selectStatusBar(keymap, s, 120))).toContain('extracting /usr/bin/curl: 1/4 entries, 500 B of 2.0 kB (25 %)');
    // a second one is refused while it runs, and the running one is not replaced
    const again = run(s, 'tree.extract');
    expect(again.extraction?.request).toBe(request);
    expect(again.message?.text).toBe('an extraction is running (Esc cancels)');
    expect(reduce(data, s, { type: 'extract.start', overwrite: true }).extraction?.request).toBe(request);
    // Esc: marked cancelled for the UI to stop; its end then clears it
    s = reduce(data, s, { type: 'extract.cancel' });
    expect(s.extraction).toMatchObject({ request, cancelled: true });
    s = reduce(data, s, { type: 'extract.end', text: 'extraction cancelled: 1 of 4 entries (500 B) were written whole; no partly written file was left', tone: 'info' });
    expect(s.extraction).toBeUndefined();
    expect(s.message?.text).toMatch(/^extraction cancelled/);
    // a late report of a finished extraction changes nothing
    expect(reduce(data, s, { type: 'extract.progress', progress: { entries: 2, totalEntries: 4, bytes: 900, totalBytes: 2000 } })).toBe(s);
  });

  it('y at the overwrite prompt asks again with the same target, overwriting; n asks for nothing', () => {
    const target = { pathId: a.tree.find('etc/passwd')!, layer: 1 };
    const s = run(at(1), { type: 'prompt.overwrite', path: '/etc/passwd', existing: ['passwd'], target });
    const out = key(s, 'y');
    if (out.kind !== 'action') throw new Error('y is an action');
    const yes = reduce(data, s, out.action);
    expect(yes.prompt).toBeUndefined();
    expect(yes.extraction?.request).toEqual({ target, overwrite: true });
    expect(reduce(data, s, { type: 'prompt.decline' }).extraction).toBeUndefined();
  });

  it('an empty tree asks before the whole filesystem; a filter hiding every path asks for nothing', () => {
    const empty = run(at(1), 'tree.toggleAdded', 'tree.toggleRemoved', 'tree.toggleModified', 'tree.toggleUnmodified', 'tree.extract');
    expect(empty.extraction).toBeUndefined();
    expect(empty.prompt).toMatchObject({ kind: 'extractAll', target: { pathId: 0, layer: 1 } });
    const none = run(at(1), 'filter.open', ...type('nothing-has-this'), { type: 'input.submit' }, 'tree.extract');
    expect(none.extraction).toBeUndefined();
    expect(none.message).toEqual({ text: 'nothing selected to extract (the filter hides every path)', tone: 'error' });
  });
});

describe('skip summary', () => {
  it('counts every reason, largest first', () => {
    expect(
      summariseSkipped([
        { kind: 'device' },
        { kind: 'unsafe name' },
        { kind: 'device' },
      ]),
    ).toBe('skipped 3: 2 device files, 1 unsafe name');
    expect(summariseSkipped([{ kind: 'fifo' }, { kind: 'escaping symlink' }, { kind: 'escaping symlink' }])).toBe('skipped 3: 2 escaping symlinks, 1 FIFO');
    expect(summariseSkipped([])).toBe('');
  });
});

describe('the wasted-files list', () => {
  const table = (s: AppState) => selectImageDetails(data, s).lines.map(lineText).filter((l) => /^\s+\d+\s/.test(l));
  it('W focuses it; the cursor moves and the title counts', () => {
    let s = run(at(0, 'layers'), 'waste.focus');
    expect(s.focus).toBe('waste');
    let pane = selectImageDetails(data, s);
    expect(lineText(pane.title)).toMatch(/^▌Image details .* 1\/5 wasted files $/);
    expect(pane.lines.find((l) => l.selected === 'focused') && lineText(pane.lines.find((l) => l.selected === 'focused')!)).toContain('/usr/bin/curl');
    s = run(s, 'cursor.down', 'cursor.down');
    pane = selectImageDetails(data, s);
    expect(lineText(pane.lines.find((l) => l.selected === 'focused')!)).toContain('/etc/passwd');
    expect(lineText(pane.title)).toContain('3/5 wasted files');
    // the layers cursor did not move
    expect(s.layers.cursor).toBe(0);
    expect(table(s).length).toBeGreaterThan(0);
    expect(run(s, 'waste.focus').focus).toBe('tree');
  });

  it('scrolls when the cursor goes past the rows that fit', () => {
    let s: AppState = { ...createInitialState({ cols: 100, rows: 24 }), focus: 'tree' };
    s = run(s, 'waste.focus', 'cursor.bottom');
    const shown = selectImageDetails(data, s).lines.map(lineText);
    expect(shown.some((l) => l.includes('/usr/bin/ash'))).toBe(true);
    expect(shown.some((l) => l.includes('/usr/bin/curl'))).toBe(false); // the first row scrolled away
    expect(lineText(selectImageDetails(data, s).lines.find((l) => l.selected === 'focused')!)).toContain('/usr/bin/ash');
  });

  it('Enter jumps to the path in the tree at the last layer that wrote it, expanding and revealing it', () => {
    let s = run(at(0, 'layers'), 'tree.collapseAll'); // (a tree command from the layers pane does nothing)
    s = { ...s, tree: { ...s.tree, collapse: { all: true, toggled: new Set() }, hidden: { ...s.tree.hidden, modified: true } } };
    s = run(s, 'waste.focus', 'cursor.down', 'cursor.down'); // /etc/passwd: L0, L1, L2 wrote it
    expect(selectWasteTarget(data, s)).toEqual({ pathId: a.tree.find('etc/passwd'), layer: 2, path: '/etc/passwd' });
    expect(key(s, 'enter', '\r')).toEqual({ kind: 'action', action: { type: 'command', id: 'waste.jump' } });
    s = run(s, 'waste.jump');
    expect(s.focus).toBe('tree');
    expect(s.layers.cursor).toBe(2);
    expect(s.layers.mode).toBe('layer');
    expect(a.tree.pathOf(selectCursorPath(data, s))).toBe('etc/passwd');
    expect(selectTreeView(data, s).cursorRow).toBeGreaterThanOrEqual(0);
    expect(s.message?.text).toBe('/etc/passwd: L2 is the last layer that wrote it');
  });

  it('a path deleted later goes to the layer that last wrote it, not the one that deleted it', () => {
    const s = run(at(0, 'layers'), 'waste.focus', 'waste.jump'); // /usr/bin/curl: added in L1, gone with the opaque /usr/bin of L3
    expect(s.layers.cursor).toBe(1);
    expect(a.tree.pathOf(selectCursorPath(data, s))).toBe('usr/bin/curl');
  });

  it('a filter that hides the path is cleared, one that shows it is kept', () => {
    let s = run(at(0, 'tree'), 'filter.open', ...type('hosts'), { type: 'input.submit' });
    s = run(s, 'waste.focus', 'cursor.down', 'cursor.down', 'waste.jump');
    expect(s.filter.text).toBe('');
    let t = run(at(0, 'tree'), 'filter.open', ...type('etc'), { type: 'input.submit' });
    t = run(t, 'waste.focus', 'cursor.down', 'cursor.down', 'waste.jump');
    expect(t.filter.text).toBe('etc');
    expect(a.tree.pathOf(selectCursorPath(data, t))).toBe('etc/passwd');
  });

  it('with a base marked below the layer, Enter keeps the mark: the tree shows the range from the base, which holds the write', () => {
    let s = run(at(0, 'layers'), 'layers.markBase'); // base L0
    s = run(s, 'waste.focus', 'cursor.down', 'cursor.down', 'waste.jump'); // /etc/passwd, last written in L2
    expect(s.layers.cursor).toBe(2);
    expect(s.layers.mark).toBe(0);
    expect(s.message?.text).toBe('/etc/passwd: L2 is the last layer that wrote it');
  });

  it('a base marked at or above the layer cannot show the write: it is cleared, and the status line says so', () => {
    let s = run(at(3, 'layers'), 'layers.markBase'); // base L3
    s = run(s, 'waste.focus', 'cursor.down', 'cursor.down', 'waste.jump');
    expect(s.layers.cursor).toBe(2);
    expect(s.layers.mark).toBeNull();
    expect(s.message?.text).toBe('/etc/passwd: L2 is the last layer that wrote it (base mark on L3 cleared: it is not below L2)');
  });

  it('at 80x24 a path too long for the list is cut in the middle, not from the left', () => {
    const b = buildAnalysis([{ entries: [dir('var'), dir('var/cache'), dir('var/cache/apt'), file('var/cache/apt/pkgcache.bin', 4000, { content: 'a' })] }, { entries: [file('var/cache/apt/pkgcache.bin', 4000, { content: 'b' })] }]);
    const v = imageView(b);
    const s = createInitialState({ cols: 80, rows: 24 });
    const rows = selectImageDetails(v, s).lines.map(lineText).filter((l) => /^\s+\d+\s/.test(l));
    expect(rows[0]).toMatch(/ \/var…\S*\.bin\s*$/);
  });

  it('Esc leaves the list for the tree', () => {
    const s = run(at(0, 'layers'), 'waste.focus');
    const out = key(s, 'esc', '\x1b');
    expect(out).toEqual({ kind: 'action', action: { type: 'command', id: 'waste.focus' } });
    if (out.kind === 'action') expect(reduce(data, s, out.action).focus).toBe('tree');
  });

  it('Tab still switches between the layers and the tree only', () => {
    expect(run(at(0, 'tree'), 'app.switchPane').focus).toBe('layers');
    expect(run(at(0, 'layers'), 'app.switchPane').focus).toBe('tree');
  });
});
