import { TOTAL_ROWS } from '../format/index.js';
import type { AppState } from './state.js';
import { layerRowCount, type ViewData } from './view-data.js';

/** Where every pane goes for a viewport. Heights are rows of content, titles excluded. */
export type Layout = {
  readonly cols: number;
  readonly rows: number;
  /** Below `MIN_VIEWPORT`: the inspector shows only a "terminal too small" notice. */
  readonly tooSmall: boolean;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly layersHeight: number;
  readonly layerDetailsHeight: number;
  readonly imageDetailsHeight: number;
  /** The filter's input line above the tree (search prompts in the status line). */
  readonly inputLine: boolean;
  /** Rows of the tree itself: below its title, the input line, the full-path line and the column headers. */
  readonly treeHeight: number;
  /** Screen row (0-based) of the tree's first row. */
  readonly treeRowsTop: number;
  readonly fileHistoryHeight: number;
  /** An attribute column is on: all of them (permission, UID:GID, size) when they fit, else the size only. */
  readonly attributes: boolean;
  /** The narrow tree's attribute column: size only. */
  readonly compactAttributes: boolean;
  /** The packages pane is open: it takes the right column instead of the tree and the file history. */
  readonly packagesOpen: boolean;
  /** Screen row (0-based) of the packages pane's first body line (below its title, filter line and column headers). */
  readonly packagesRowsTop: number;
  /** Body lines of the packages pane (its notes, then its rows). */
  readonly packagesHeight: number;
};

/** Smallest viewport the inspector draws its panes in; below it, it asks for a bigger terminal. */
export const MIN_VIEWPORT = { cols: 60, rows: 15 } as const;

/** Image details' key figures (name and platform, total size, wasted, efficiency, reclaimable): room kept before anything else there. */
export const IMAGE_FIGURE_LINES = 5;

/** Lines above the tree's rows: the full path of the selected row and the column headers. */
const TREE_HEAD_LINES = 2;

/** The tree shows every attribute column from this width on (they take 33 cells). */
const FULL_ATTRIBUTES_WIDTH = 56;

/** The heights the layer list and the layer details (or a comparison's totals) ask for, before image details take their share. */
function leftColumn(kind: ViewData['kind'], body: number, rows: number, layerCount: number): { layersHeight: number; layerDetailsHeight: number } {
  switch (kind) {
    case 'image':
      return {
        layersHeight: Math.max(1, Math.min(Math.max(layerCount, 2), Math.max(2, Math.floor(body * (rows >= 30 ? 0.4 : 0.35))))),
        layerDetailsHeight: Math.max(4, Math.min(12, Math.floor(body * 0.3))),
      };
    case 'comparison': {
      // A comparison's panes have fixed lengths: the totals, and the two images with their counts.
      const layerDetailsHeight = Math.min(TOTAL_ROWS.length, Math.max(3, body - IMAGE_FIGURE_LINES - 2));
      return { layersHeight: Math.max(2, Math.min(layerCount, body - layerDetailsHeight - IMAGE_FIGURE_LINES)), layerDetailsHeight };
    }
  }
}

/**
 * Two columns: layers, layer details and image details on the left; the file tree (and the
 * file history panel) on the right; one status row. The left column takes about 40 % of the
 * width, and wide terminals give the tree the rest. Down the left column, image details keep
 * their key figures first; layer details get a share that grows with the height; the layer
 * list takes what it needs up to about a third.
 */
export function selectLayout(state: AppState, layerCount: number, kind: ViewData['kind'] = 'image'): Layout {
  const cols = Math.max(20, state.viewport.cols);
  const rows = Math.max(8, state.viewport.rows);
  const tooSmall = state.viewport.cols < MIN_VIEWPORT.cols || state.viewport.rows < MIN_VIEWPORT.rows;
  const H = rows - 1;
  const leftWidth = Math.max(24, Math.min(Math.floor(cols * (cols >= 140 ? 0.38 : 0.42)), 90));
  const rightWidth = Math.max(10, cols - leftWidth - 1);
  const body = Math.max(3, H - 3); // three titles down the left column
  let { layersHeight, layerDetailsHeight } = leftColumn(kind, body, rows, layerCount);
  let imageDetailsHeight = body - layersHeight - layerDetailsHeight;
  // The image's figures come before the layer's details, and those before more layer rows.
  if (imageDetailsHeight < IMAGE_FIGURE_LINES) {
    const take = Math.min(IMAGE_FIGURE_LINES - imageDetailsHeight, Math.max(0, layerDetailsHeight - 3));
    layerDetailsHeight -= take;
    imageDetailsHeight += take;
  }
  if (imageDetailsHeight < IMAGE_FIGURE_LINES) {
    const take = Math.min(IMAGE_FIGURE_LINES - imageDetailsHeight, Math.max(0, layersHeight - 2));
    layersHeight -= take;
    imageDetailsHeight += take;
  }
  imageDetailsHeight = Math.max(0, imageDetailsHeight);
  // Only the filter takes a line above the tree; the search prompt is in the status line, so opening search never moves the tree.
  const inputLine = state.filter.editing || state.filter.text !== '';
  const fileHistoryHeight = state.tree.fileHistory ? Math.min(12, Math.max(5, Math.floor(H * 0.35))) : 0;
  const head = 1 + (inputLine ? 1 : 0) + TREE_HEAD_LINES;
  const treeHeight = Math.max(1, H - head - (fileHistoryHeight > 0 ? fileHistoryHeight + 1 : 0));
  const packagesOpen = state.packages?.open === true;
  const packagesRowsTop = 1 + (state.packages?.editing || state.packages?.filter ? 1 : 0) + 1;
  return {
    cols,
    rows,
    tooSmall,
    packagesOpen,
    packagesRowsTop,
    packagesHeight: Math.max(1, H - packagesRowsTop),
    leftWidth,
    rightWidth,
    layersHeight,
    layerDetailsHeight,
    imageDetailsHeight,
    inputLine,
    treeHeight,
    treeRowsTop: head,
    fileHistoryHeight,
    attributes: state.tree.attributes,
    compactAttributes: state.tree.attributes && rightWidth < FULL_ATTRIBUTES_WIDTH,
  };
}

/** The layout of a view: its layer list has `layerRowCount` rows, a comparison's left column fixed lengths. */
export function selectViewLayout(d: ViewData, state: AppState): Layout {
  return selectLayout(state, layerRowCount(d), d.kind);
}

/** What a terminal below `MIN_VIEWPORT` shows, centred, until it is made bigger. */
export function selectTooSmallText(state: AppState): string {
  const { cols, rows } = state.viewport;
  return `terminal too small (need ${MIN_VIEWPORT.cols}x${MIN_VIEWPORT.rows}, have ${cols}x${rows})`;
}
