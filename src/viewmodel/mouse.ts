import { selectViewLayout, type Layout } from './layout.js';
import { selectPackagesWindow } from './packages-view.js';
import type { Action } from './reducer.js';
import type { AppState } from './state.js';
import { selectTreeView } from './tree-view.js';
import { layerRowCount, type ViewData } from './view-data.js';

/**
 * Mouse input, decoded and hit-tested without a terminal. The inspector asks for SGR mouse
 * reports (`ESC [ ? 1000 h ESC [ ? 1006 h`): a press is `ESC [ < b ; col ; row M`, a release
 * the same ending in `m`, and the wheel is button 64 (up) or 65 (down). Reports share the
 * input stream with keys, so `createInputSplitter` separates them before any key handling
 * sees a byte of one.
 */
export type MouseEvent = {
  readonly kind: 'press' | 'release' | 'wheel-up' | 'wheel-down';
  /** 0 left, 1 middle, 2 right (wheel: 0 up, 1 down). */
  readonly button: number;
  /** 1-based, as the terminal reports it. */
  readonly col: number;
  readonly row: number;
};

/** Rows the wheel scrolls per notch. */
export const WHEEL_ROWS = 3;

export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

// eslint-disable-next-line no-control-regex
const SGR = /^\x1b\[<(\d+);(\d+);(\d+)([Mm])$/;

/**
 * Decodes one mouse report: SGR (`ESC[<0;10;5M`) or the legacy X10 form (`ESC[M` and three
 * bytes, each value + 32) a terminal without SGR sends. Anything else, and motion or
 * sideways-wheel reports the inspector has no use for, is undefined.
 */
export function decodeMouse(raw: string): MouseEvent | undefined {
  let b: number;
  let col: number;
  let row: number;
  let release: boolean;
  const m = SGR.exec(raw);
  if (m) {
    b = Number(m[1]);
    col = Number(m[2]);
    row = Number(m[3]);
    release = m[4] === 'm';
  } else if (raw.length === 6 && raw.startsWith('\x1b[M')) {
    b = raw.charCodeAt(3) - 32;
    col = raw.charCodeAt(4) - 32;
    row = raw.charCodeAt(5) - 32;
    // X10 has no release per button: button 3 means "released".
    release = (b & 3) === 3 && (b & 64) === 0;
  } else return undefined;
  if (!Number.isSafeInteger(b) || col < 1 || row < 1 || !Number.isSafeInteger(col) || !Number.isSafeInteger(row)) return undefined;
  if (b & 32) return undefined; // motion
  if (b & 64) {
    const w = b & 3;
    if (w > 1) return undefined; // sideways
    return { kind: w === 0 ? 'wheel-up' : 'wheel-down', button: w, col, row };
  }
  return { kind: release ? 'release' : 'press', button: b & 3, col, row };
}

/** One piece of input: a mouse report (decoded, or undefined when of no use) or one key's bytes. */
export type InputPiece = { readonly kind: 'mouse'; readonly raw: string; readonly event: MouseEvent | undefined } | { readonly kind: 'key'; readonly raw: string };

const isDigitOrSemi = (c: string) => (c >= '0' && c <= '9') || c === ';';

/**
 * Splits terminal input into mouse reports and keys. Reports may come several per chunk,
 * glued to keys, or cut between chunks: an unfinished report at the end of a chunk waits for
 * the next one instead of leaking out as keys. Keys are split as a terminal sends them: one
 * escape sequence, or one character.
 */
export function createInputSplitter(): (data: string) => InputPiece[] {
  let pending = '';
  return (data) => {
    const s = pending + data;
    pending = '';
    const out: InputPiece[] = [];
    let i = 0;
    while (i < s.length) {
      if (s.startsWith('\x1b[<', i)) {
        let j = i + 3;
        while (j < s.length && isDigitOrSemi(s[j]!)) j++;
        if (j >= s.length) {
          if (j - i < 32) pending = s.slice(i);
          else out.push({ kind: 'key', raw: s.slice(i) });
          break;
        }
        if (s[j] === 'M' || s[j] === 'm') {
          const raw = s.slice(i, j + 1);
          out.push({ kind: 'mouse', raw, event: decodeMouse(raw) });
        } else out.push({ kind: 'key', raw: s.slice(i, j) }); // not a report: an unknown sequence, never text
        i = j + (s[j] === 'M' || s[j] === 'm' ? 1 : 0);
        continue;
      }
      if (s.startsWith('\x1b[M', i)) {
        if (s.length - i < 6) {
          pending = s.slice(i);
          break;
        }
        const raw = s.slice(i, i + 6);
        out.push({ kind: 'mouse', raw, event: decodeMouse(raw) });
        i += 6;
        continue;
      }
      if (s[i] === '\x1b') {
        const n = keySequenceLength(s, i);
        out.push({ kind: 'key', raw: s.slice(i, i + n) });
        i += n;
        continue;
      }
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out.push({ kind: 'key', raw: ch });
      i += ch.length;
    }
    return out;
  };
}

/** Length of the key sequence starting with ESC at `i`: CSI, SS3, ESC ESC, Alt+char or a lone Esc. */
function keySequenceLength(s: string, i: number): number {
  const next = s[i + 1];
  if (next === undefined) return 1;
  if (next === '[') {
    let j = i + 2;
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x3f) j++;
    return Math.min(s.length, j + 1) - i;
  }
  if (next === 'O') return Math.min(3, s.length - i);
  if (next === '\x1b') return 2;
  return 1 + String.fromCodePoint(s.codePointAt(i + 1)!).length;
}

/** What is at a cell of the screen, for a layout. `row` is a row of the pane's body, from 0. */
export type Hit =
  | { readonly area: 'layers-title' | 'layer-details' | 'image-details' | 'tree-title' | 'input' | 'file-history' | 'packages-title' | 'status' | 'none' }
  | { readonly area: 'layers' | 'tree' | 'packages' | 'overlay'; readonly row: number };

/**
 * The pane under a cell (0-based x, y), from the layout the panes are drawn with: on the left
 * the Layers title and rows, Layer details and Image details (each a title and its rows); a
 * one-column gap; on the right the Files title, the filter line when shown, the path and
 * column-header lines, the tree rows and the file history (or, while it is open, the packages
 * pane: its title, filter and header lines, then its body); the status bar on the last row. An
 * overlay covers all but the status bar.
 */
export function hitTest(layout: Layout, overlay: boolean, x: number, y: number): Hit {
  if (x < 0 || y < 0 || x >= layout.cols || y >= layout.rows) return { area: 'none' };
  if (y === layout.rows - 1) return { area: 'status' };
  if (overlay) return { area: 'overlay', row: y };
  if (x < layout.leftWidth) {
    if (y === 0) return { area: 'layers-title' };
    if (y <= layout.layersHeight) return { area: 'layers', row: y - 1 };
    const details = layout.layersHeight + 1;
    if (y <= details + layout.layerDetailsHeight) return { area: 'layer-details' };
    if (y <= details + layout.layerDetailsHeight + 1 + layout.imageDetailsHeight) return { area: 'image-details' };
    return { area: 'none' };
  }
  if (x === layout.leftWidth || x > layout.leftWidth + layout.rightWidth) return { area: 'none' };
  if (layout.packagesOpen) {
    // The packages pane over the tree: title, filter line, column headers, then its body.
    if (y < layout.packagesRowsTop) return { area: 'packages-title' };
    return { area: 'packages', row: y - layout.packagesRowsTop };
  }
  if (y === 0) return { area: 'tree-title' };
  if (layout.inputLine && y === 1) return { area: 'input' };
  // The path line and the column headers between the title (or input line) and the rows.
  const top = layout.treeRowsTop;
  if (y < top) return { area: 'tree-title' };
  if (y < top + layout.treeHeight) return { area: 'tree', row: y - top };
  if (layout.fileHistoryHeight > 0 && y <= top + layout.treeHeight + layout.fileHistoryHeight) return { area: 'file-history' };
  return { area: 'none' };
}

/**
 * What a mouse event means now, as reducer actions: a click on a layer selects it and
 * focuses the layers pane, a click on a tree row moves the cursor there and focuses the tree,
 * a click on a pane title focuses it; the wheel scrolls the pane under the pointer, or the
 * overlay. While a prompt or an input line is being typed the mouse does nothing.
 */
export function interpretMouse(d: ViewData, state: AppState, ev: MouseEvent): Action[] {
  if (state.prompt || state.compare || state.filter.editing || state.search.editing) return [];
  // The file viewer and file diff cover the panes: the wheel scrolls them, clicks do nothing.
  if (state.viewer || state.fileDiff) {
    if (ev.kind !== 'wheel-up' && ev.kind !== 'wheel-down') return [];
    return new Array<Action>(WHEEL_ROWS).fill({ type: 'doc.scroll', to: ev.kind === 'wheel-up' ? 'up' : 'down' });
  }
  const layout = selectViewLayout(d, state);
  if (layout.tooSmall) return [];
  const overlay = state.overlay !== 'none';
  const hit = hitTest(layout, overlay, ev.col - 1, ev.row - 1);
  if (ev.kind === 'wheel-up' || ev.kind === 'wheel-down') {
    const delta = ev.kind === 'wheel-up' ? -WHEEL_ROWS : WHEEL_ROWS;
    if (overlay) return new Array<Action>(WHEEL_ROWS).fill({ type: 'command', id: delta < 0 ? 'cursor.up' : 'cursor.down' });
    if (hit.area === 'layers' || hit.area === 'layers-title') return [{ type: 'scroll', pane: 'layers', delta }];
    if (hit.area === 'tree' || hit.area === 'tree-title' || hit.area === 'input') return [{ type: 'scroll', pane: 'tree', delta }];
    if (hit.area === 'packages' || hit.area === 'packages-title') return [{ type: 'scroll', pane: 'packages', delta }];
    return [];
  }
  if (ev.kind !== 'press' || ev.button !== 0 || overlay) return [];
  switch (hit.area) {
    case 'layers-title':
      return [{ type: 'focus', pane: 'layers' }];
    case 'tree-title':
      return [{ type: 'focus', pane: 'tree' }];
    case 'packages-title':
      return [{ type: 'focus', pane: 'packages' }];
    case 'packages': {
      // The pane's notes come before its rows.
      const w = selectPackagesWindow(d, state, layout);
      const r = hit.row - w.notes.length;
      const focus: Action = { type: 'focus', pane: 'packages' };
      return r >= 0 && r < w.height && w.scroll + r < w.rows.length ? [focus, { type: 'packages.select', row: w.scroll + r }] : [focus];
    }
    case 'layers': {
      const count = layerRowCount(d);
      const index = state.layers.scroll + hit.row;
      const focus: Action = { type: 'focus', pane: 'layers' };
      return index < count ? [focus, { type: 'layers.select', layer: index }] : [focus];
    }
    case 'tree': {
      const v = selectTreeView(d, state);
      const r = v.scroll + hit.row;
      const focus: Action = { type: 'focus', pane: 'tree' };
      return r < v.rows.count ? [focus, { type: 'tree.select', pathId: v.ti.order[v.rows.posAt(r)]! }] : [focus];
    }
    default:
      return [];
  }
}
