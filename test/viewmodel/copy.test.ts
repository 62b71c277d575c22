import { describe, expect, it } from 'vitest';
import { osc52, selectCopyTarget } from '../../src/viewmodel/copy.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { buildAnalysis, dir, file, sampleAnalysis } from '../helpers/build-analysis.js';
import { imageView } from '../../src/viewmodel/view-data.js';

const a = sampleAnalysis();
const v = imageView(a);
const keymap = createKeymap();

describe('y: copy', () => {
  it('is app.copy, an effect for the UI, in both panes; text while the filter is typed', () => {
    const s = createInitialState({ cols: 100, rows: 30 });
    expect(interpretKey(keymap, s, 'y', 'y')).toEqual({ kind: 'copy' });
    expect(interpretKey(keymap, { ...s, focus: 'tree' }, 'y', 'y')).toEqual({ kind: 'copy' });
    expect(interpretKey(keymap, { ...s, filter: { text: '', editing: true } }, 'y', 'y')).toEqual({ kind: 'action', action: { type: 'input.text', text: 'y' } });
    expect(interpretKey(keymap, { ...s, overlay: 'help' }, 'y', 'y')).toEqual({ kind: 'none' });
  });

  it('in the tree: the selected path, absolute', () => {
    let s: AppState = { ...createInitialState({ cols: 100, rows: 30 }), focus: 'tree' };
    s = reduce(v, s, { type: 'command', id: 'cursor.down' });
    s = reduce(v, s, { type: 'command', id: 'cursor.down' });
    expect(selectCopyTarget(v, s)).toEqual({ text: '/etc/passwd', message: 'copied /etc/passwd to the clipboard' });
  });

  it("in the layers pane: the selected layer's digest", () => {
    const s = reduce(v, createInitialState({ cols: 100, rows: 30 }), { type: 'layers.select', layer: 2 });
    expect(selectCopyTarget(v, s)).toEqual({ text: a.layers[2]!.digest, message: `copied ${a.layers[2]!.digest} to the clipboard` });
  });

  it('a hostile path goes to the clipboard as it is, and to the status bar sanitized', () => {
    const evil = buildAnalysis([{ entries: [dir('x'), file('x/\x1b]0;pwned\x07name')] }]);
    const ev = imageView(evil);
    let s: AppState = { ...createInitialState({ cols: 100, rows: 30 }), focus: 'tree' };
    s = reduce(ev, s, { type: 'command', id: 'cursor.down' });
    const t = selectCopyTarget(ev, s);
    expect(t).toEqual({ text: '/x/\x1b]0;pwned\x07name', message: 'copied /x/?]0;pwned?name to the clipboard' });
    const seq = osc52((t as { text: string }).text);
    // one OSC 52 sequence, whose payload (base64) holds no control character of the path
    expect(seq).toMatch(/^\x1b\]52;c;[A-Za-z0-9+/=]+\x07$/);
    expect(Buffer.from(seq.slice(7, -1), 'base64').toString('utf8')).toBe('/x/\x1b]0;pwned\x07name');
  });

  it('an empty tree has nothing to copy', () => {
    const s: AppState = { ...createInitialState({ cols: 100, rows: 30 }), focus: 'tree', filter: { text: 'no-such-path', editing: false } };
    expect(selectCopyTarget(v, s)).toEqual({ error: 'nothing selected to copy' });
  });
});

describe('osc52', () => {
  it('base64 of the UTF-8 text, terminated by BEL', () => {
    expect(osc52('/etc/passwd')).toBe(`\x1b]52;c;${Buffer.from('/etc/passwd').toString('base64')}\x07`);
    expect(osc52('/é')).toBe('\x1b]52;c;L8Op\x07');
  });
});
