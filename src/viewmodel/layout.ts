import type { AppState } from './state.js';

/** Where every pane goes for a viewport. Heights are rows of content, titles excluded. */
export type Layout = {
  readonly cols: number;
  readonly rows: number;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly layersHeight: number;
  readonly layerDetailsHeight: number;
  readonly imageDetailsHeight: number;
  /** The filter's input line above the tree (search prompts in the status line). */
  readonly inputLine: boolean;
  readonly treeHeight: number;
  readonly fileHistoryHeight: number;
  /** Attribute columns fit (and are on). */
  readonly attributes: boolean;
};

/** Smallest viewport the layout is designed for; smaller ones still render, clipped. */
export const MIN_VIEWPORT = { cols: 80, rows: 24 } as const;

/**
 * Two columns: layers, layer details and image details on the left; the file tree (and the
 * file history panel) on the right; one status row. The left column takes about 40 % of the
 * width, and wide terminals give the tree the rest.
 */
export function selectLayout(state: AppState, layerCount: number): Layout {
  const cols = Math.max(20, state.viewport.cols);
  const rows = Math.max(8, state.viewport.rows);
  const H = rows - 1;
  const leftWidth = Math.max(24, Math.min(Math.floor(cols * (cols >= 140 ? 0.38 : 0.42)), 90));
  const rightWidth = Math.max(10, cols - leftWidth - 1);
  const layersHeight = Math.max(1, Math.min(Math.max(layerCount, 2), Math.max(3, Math.floor((H - 3) * 0.4))));
  let layerDetailsHeight = Math.min(7, Math.max(3, H - layersHeight - 1 - 6));
  let imageDetailsHeight = H - (layersHeight + 1) - (layerDetailsHeight + 1) - 1;
  if (imageDetailsHeight < 3) {
    layerDetailsHeight = Math.max(1, layerDetailsHeight - (3 - imageDetailsHeight));
    imageDetailsHeight = Math.max(0, H - (layersHeight + 1) - (layerDetailsHeight + 1) - 1);
  }
  // Only the filter takes a line above the tree; the search prompt is in the status line, so opening search never moves the tree.
  const inputLine = state.filter.editing || state.filter.text !== '';
  const fileHistoryHeight = state.tree.fileHistory ? Math.min(12, Math.max(5, Math.floor(H * 0.35))) : 0;
  const treeHeight = Math.max(1, H - 1 - (inputLine ? 1 : 0) - (fileHistoryHeight > 0 ? fileHistoryHeight + 1 : 0));
  return {
    cols,
    rows,
    leftWidth,
    rightWidth,
    layersHeight,
    layerDetailsHeight,
    imageDetailsHeight,
    inputLine,
    treeHeight,
    fileHistoryHeight,
    attributes: state.tree.attributes && rightWidth >= 56,
  };
}
