import type { CommandId } from './commands.js';
import { clampScroll, cursorTarget, placeCursor, scrollWindow } from './cursor.js';
import { extractAllPrompt } from './extract-view.js';
import { selectViewLayout } from './layout.js';
import type { PaneReducer } from './pane.js';
import type { AppState } from './state.js';
import { layerRowCount, type ImageView, type ViewData } from './view-data.js';

/**
 * The layers pane: a list of rows (an image's layers; a comparison's "all changes" and aligned
 * layers, which narrow the tree) and, for one image, what the tree compares the selected layer
 * with (its own changes, everything up to it, or a marked base) and the extraction of its whole
 * filesystem.
 */

const RUNNING = 'an extraction is running (Esc cancels)';

/** The layer list's height on screen. */
function listHeight(d: ViewData, s: AppState): number {
  return Math.max(1, selectViewLayout(d, s).layersHeight);
}

/** Selects a row of the layer list (clamped), scrolling the least that shows it. */
export function selectLayerRow(d: ViewData, s: AppState, row: number): AppState {
  return { ...s, layers: { ...s.layers, ...placeCursor(s.layers, row, layerRowCount(d), listHeight(d, s)) } };
}

/**
 * The layers pane after a jump to `layer` (the wasted-files list, a finding): that layer's own
 * changes; a marked base below it stays, so the tree shows the range from the base, which
 * holds the jumped-to change. A base at or above the layer cannot hold it: the mark goes, and
 * `note` says so for the status line (empty when nothing was dropped).
 */
export function jumpToLayer(d: ViewData, s: AppState, layer: number): { readonly state: AppState; readonly note: string } {
  const { mark } = s.layers;
  const keep = mark !== null && mark < layer;
  const at = selectLayerRow(d, { ...s, layers: { ...s.layers, mode: 'layer', mark: keep ? mark : null } }, layer);
  const note = mark !== null && !keep ? `base mark on L${mark} cleared: it is not below L${layer}` : '';
  return { state: at, note };
}

function imageCommand(d: ImageView, s: AppState, id: LayerCommand): AppState {
  switch (id) {
    case 'layers.compareLayer':
      return { ...s, layers: { ...s.layers, mode: 'layer', mark: null } };
    case 'layers.compareAggregated':
      return { ...s, layers: { ...s.layers, mode: 'aggregated', mark: null } };
    case 'layers.markBase':
      return { ...s, layers: { ...s.layers, mark: s.layers.mark === s.layers.cursor ? null : s.layers.cursor } };
    case 'layers.extract':
      return s.extraction ? { ...s, message: { text: RUNNING, tone: 'info' } } : extractAllPrompt(d, s);
  }
}

function comparisonCommand(s: AppState, id: LayerCommand): AppState {
  switch (id) {
    case 'layers.compareLayer':
    case 'layers.compareAggregated':
    case 'layers.markBase':
      // A comparison always shows OLD → NEW; its rows narrow the tree instead.
      return { ...s, message: { text: 'in a comparison, select a NEW layer to see only the paths it wrote', tone: 'info' } };
    case 'layers.extract':
      return { ...s, message: { text: 'a comparison has no single filesystem to extract', tone: 'info' } };
  }
}

type LayerCommand = Extract<CommandId, `layers.${string}`>;

function isLayerCommand(id: CommandId): id is LayerCommand {
  return id.startsWith('layers.');
}

export const layersPane: PaneReducer = {
  command(d, s, id) {
    if (!isLayerCommand(id)) return undefined;
    switch (d.kind) {
      case 'image':
        return imageCommand(d, s, id);
      case 'comparison':
        return comparisonCommand(s, id);
    }
  },
  cursor: (d, s, verb) => selectLayerRow(d, s, cursorTarget(verb, s.layers.cursor, layerRowCount(d), listHeight(d, s))),
  wheel: (d, s, delta) => ({ ...s, layers: { ...s.layers, ...scrollWindow(s.layers, delta, layerRowCount(d), listHeight(d, s)) } }),
  refit: (d, s) => ({ ...s, layers: { ...s.layers, scroll: clampScroll(s.layers.scroll, s.layers.cursor, selectViewLayout(d, s).layersHeight, layerRowCount(d)) } }),
};
