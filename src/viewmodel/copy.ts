import type { LayerSummary } from '../core/index.js';
import { sanitize } from '../format/index.js';
import { selectDiffLayer } from './diff-view.js';
import type { AppState } from './state.js';
import { selectCursorPath } from './tree-view.js';
import { pathsOf, type ViewData } from './view-data.js';

/**
 * What `y` copies: in the file tree the selected path (absolute), in the layers pane the
 * selected layer's digest. `text` is what goes to the clipboard, as the image has it;
 * `message` is the status-bar line, with the text sanitized (a path from an image may hold
 * control characters).
 */
export type CopyTarget = { readonly text: string; readonly message: string } | { readonly error: string };

export function selectCopyTarget(d: ViewData, state: AppState): CopyTarget {
  if (state.focus === 'tree') {
    const pathId = selectCursorPath(d, state);
    if (pathId < 0) return { error: 'nothing selected to copy' };
    const text = `/${pathsOf(d).pathOf(pathId)}`;
    return { text, message: `copied ${sanitize(text)} to the clipboard` };
  }
  const layer = layerToCopy(d, state);
  if (layer && 'error' in layer) return layer;
  const digest = layer?.digest ?? layer?.diffId;
  if (!digest) return { error: 'this layer has no digest to copy' };
  return { text: digest, message: `copied ${sanitize(digest)} to the clipboard` };
}

/** The selected layer: the image's, or in a comparison the aligned row's (none on "all changes"). */
function layerToCopy(d: ViewData, state: AppState): LayerSummary | { readonly error: string } | undefined {
  switch (d.kind) {
    case 'image':
      return d.analysis.layers[state.layers.cursor];
    case 'comparison':
      return selectDiffLayer(d, state) ?? { error: 'select a layer to copy its digest' };
  }
}

/**
 * The OSC 52 sequence that asks the terminal to put `text` on the clipboard. Base64 keeps the
 * text from being read as terminal commands, whatever bytes it holds.
 */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
