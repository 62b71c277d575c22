import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/viewmodel/commands.js';
import { cursorTarget, isCursorVerb, moveCursor, scrollWindow, type CursorVerb } from '../../src/viewmodel/cursor.js';
import { selectLayout } from '../../src/viewmodel/layout.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, file } from '../helpers/build-analysis.js';

describe('the one cursor helper', () => {
  it.each<[CursorVerb, number, number, number, number]>([
    // verb, cursor, rows, page, → row
    ['cursor.up', 3, 10, 4, 2],
    ['cursor.up', 0, 10, 4, 0], // stays on the first row
    ['cursor.down', 3, 10, 4, 4],
    ['cursor.down', 9, 10, 4, 9], // stays on the last row
    ['cursor.pageUp', 3, 10, 4, 0], // a page up from row 3 stops at the top
    ['cursor.pageDown', 3, 10, 4, 7],
    ['cursor.pageDown', 8, 10, 4, 9], // a page past the end stops at the last row
    ['cursor.top', 7, 10, 4, 0],
    ['cursor.bottom', 0, 10, 4, 9],
    ['cursor.bottom', 0, 0, 4, 0], // an empty list: row 0, nothing to clamp to
  ])('%s from row %i of %i (page %i) goes to row %i', (verb, cursor, count, page, row) => {
    expect(cursorTarget(verb, cursor, count, page)).toBe(row);
  });

  it('the six verbs are exactly the cursor commands of the command table', () => {
    expect(COMMANDS.map((c) => c.id).filter(isCursorVerb).sort()).toEqual(['cursor.bottom', 'cursor.down', 'cursor.pageDown', 'cursor.pageUp', 'cursor.top', 'cursor.up']);
  });

  it('keeps the window around the cursor, scrolling the least', () => {
    expect(moveCursor({ cursor: 3, scroll: 0 }, 'cursor.down', 10, 4)).toEqual({ cursor: 4, scroll: 1 });
    expect(moveCursor({ cursor: 4, scroll: 1 }, 'cursor.up', 10, 4)).toEqual({ cursor: 3, scroll: 1 });
    expect(moveCursor({ cursor: 0, scroll: 0 }, 'cursor.bottom', 10, 4)).toEqual({ cursor: 9, scroll: 6 });
    expect(moveCursor({ cursor: 9, scroll: 6 }, 'cursor.top', 10, 4)).toEqual({ cursor: 0, scroll: 0 });
  });

  it('the wheel moves the window and pushes the cursor along only when it would leave it', () => {
    expect(scrollWindow({ cursor: 5, scroll: 3 }, 3, 20, 4)).toEqual({ cursor: 6, scroll: 6 });
    expect(scrollWindow({ cursor: 5, scroll: 3 }, -1, 20, 4)).toEqual({ cursor: 5, scroll: 2 });
    expect(scrollWindow({ cursor: 5, scroll: 3 }, 100, 20, 4)).toEqual({ cursor: 16, scroll: 16 });
  });
});

describe('every pane moves its cursor the same way', () => {
  // Forty layers, each writing five files of its own, and a long wasted-files list.
  const a = buildAnalysis(Array.from({ length: 40 }, (_, i) => ({ command: `step ${i}`, entries: [0, 1, 2, 3, 4].map((k) => file(`f${k}`, 10 + i)) })));
  const v = imageView(a);
  const at = (focus: AppState['focus']): AppState => ({ ...createInitialState({ cols: 100, rows: 30 }), focus });
  const go = (s: AppState, ...verbs: CursorVerb[]) => verbs.reduce((st, id) => reduce(v, st, { type: 'command', id }), s);

  it('bottom then top, in the layers pane, the tree, the wasted files and the file history', () => {
    expect(go(at('layers'), 'cursor.bottom').layers.cursor).toBe(39);
    expect(go(at('layers'), 'cursor.bottom', 'cursor.top').layers.cursor).toBe(0);
    expect(go(at('waste'), 'cursor.bottom').waste?.cursor).toBe(a.inefficientFiles.length - 1);
    expect(go(at('waste'), 'cursor.bottom', 'cursor.up').waste?.cursor).toBe(a.inefficientFiles.length - 2);
    const tree = go(at('tree'), 'cursor.bottom');
    expect(a.tree.pathOf(tree.tree.cursorPath)).toBe('f4');
    const history = go({ ...tree, focus: 'history', tree: { ...tree.tree, fileHistory: true } }, 'cursor.bottom', 'cursor.pageUp');
    expect(history.history).toEqual({ pathId: a.tree.find('f4'), cursor: 34, mark: null }); // the last of 40 versions, then a page of five up
  });

  it('a page is the pane\'s height', () => {
    const paged = go(at('layers'), 'cursor.pageDown');
    const h = selectLayout(paged, 40).layersHeight;
    expect(h).toBeGreaterThan(1);
    expect(paged.layers.cursor).toBe(h);
    expect(go(paged, 'cursor.pageUp').layers.cursor).toBe(0);
    const tree = go(at('tree'), 'cursor.pageDown');
    expect(a.tree.pathOf(tree.tree.cursorPath)).toBe('f4'); // five rows, fewer than a page
  });
});
