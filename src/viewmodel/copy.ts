import type { Analysis } from '../core/index.js';
import { sanitize } from '../format/text.js';
import { diffOf, diffRows } from './diff-view.js';
import type { AppState } from './state.js';
import { selectCursorPath } from './tree-view.js';

/**
 * What `y` copies: in the file tree the selected path (absolute), in the layers pane the
 * selected layer's digest. `text` is what goes to the clipboard, as the image has it;
 * `message` is the status-bar line, with the text sanitized (a path from an image may hold
 * control characters).
 */
export type CopyTarget = { readonly text: string; readonly message: string } | { readonly error: string };

export function selectCopyTarget(a: Analysis, state: AppState): CopyTarget {
  if (state.focus === 'tree') {
    const pathId = selectCursorPath(a, state);
    if (pathId < 0) return { error: 'nothing selected to copy' };
    const text = `/${a.tree.pathOf(pathId)}`;
    return { text, message: `copied ${sanitize(text)} to the clipboard` };
  }
  const d = diffOf(a);
  let layer: Analysis['layers'][number] | undefined;
  if (d && state.diff) {
    const row = diffRows(d)[state.diff.cursor];
    layer = !row || row.kind === 'all' ? undefined : row.kind === 'old-only' ? row.old : row.new;
    if (!layer) return { error: 'select a layer to copy its digest' };
  } else layer = a.layers[state.layers.cursor];
  const digest = layer?.digest ?? layer?.diffId;
  if (!digest) return { error: 'this layer has no digest to copy' };
  return { text: digest, message: `copied ${sanitize(digest)} to the clipboard` };
}

/**
 * The OSC 52 sequence that asks the terminal to put `text` on the clipboard. Base64 keeps the
 * text from being read as terminal commands, whatever bytes it holds.
 */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
