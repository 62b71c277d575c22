import type { CommandId } from './commands.js';
import { cursorTarget, type CursorVerb } from './cursor.js';
import { selectHistoryCursor, selectHistoryMark, selectHistoryRows, type HistoryRow } from './file-history.js';
import type { PaneReducer } from './pane.js';
import { openFileDiff, openViewer } from './reduce-viewer.js';
import type { AppState } from './state.js';
import { selectCursorPath } from './tree-view.js';
import type { ImageView, ViewData } from './view-data.js';

/**
 * The file history panel (`f`, focused with Tab): for one image, a cursor over the versions of
 * the path under the tree's cursor, a mark, and from them the viewer (`v`) and the diff of two
 * versions (`d`). A comparison's panel lists the path in each image and has no cursor.
 */

/** Versions the cursor pages by. */
const PAGE = 5;

type HistoryCommand = Extract<CommandId, `history.${string}`>;

function isHistoryCommand(id: CommandId): id is HistoryCommand {
  return id.startsWith('history.');
}

/** The layer whose merged filesystem holds a history row's version (-1 when it is a removal: no content). */
function layerOf(r: HistoryRow): number {
  return r.entry ? r.layer : -1;
}

function imageCommand(d: ImageView, s: AppState, id: HistoryCommand): AppState {
  const pathId = selectCursorPath(d, s);
  const rows = selectHistoryRows(d, pathId);
  const cursor = selectHistoryCursor(d, s, pathId);
  const mark = selectHistoryMark(s, pathId);
  switch (id) {
    case 'history.mark':
      if (cursor < 0) return s;
      return { ...s, history: { pathId, cursor, mark: mark === cursor ? null : cursor } };
    case 'history.view': {
      const r = rows[cursor];
      if (!r) return s;
      if (!r.entry) return { ...s, message: { text: `removed in L${r.layer}: nothing to view`, tone: 'info' } };
      return openViewer(d, s, r.layer, pathId);
    }
    case 'history.diff': {
      const r = rows[cursor];
      if (!r) return { ...s, message: { text: 'no version to diff', tone: 'info' } };
      if (mark !== null && mark !== cursor) {
        const [o, n] = mark < cursor ? [mark, cursor] : [cursor, mark];
        return openFileDiff(d, s, pathId, layerOf(rows[o]!), layerOf(rows[n]!));
      }
      // No mark: this version against the one before it (nothing before: against absence).
      const before = cursor > 0 ? layerOf(rows[cursor - 1]!) : -1;
      return openFileDiff(d, s, pathId, before, layerOf(r));
    }
  }
}

function comparisonCommand(d: ViewData, s: AppState, id: HistoryCommand): AppState {
  switch (id) {
    case 'history.mark':
      return s;
    case 'history.view':
      return openViewer(d, s, -1, selectCursorPath(d, s));
    case 'history.diff':
      return { ...s, message: { text: 'diffing file versions is not available in a comparison of two images', tone: 'info' } };
  }
}

function imageCursor(d: ImageView, s: AppState, verb: CursorVerb): AppState {
  const pathId = selectCursorPath(d, s);
  const rows = selectHistoryRows(d, pathId);
  const cursor = cursorTarget(verb, selectHistoryCursor(d, s, pathId), rows.length, PAGE);
  return { ...s, history: { pathId, cursor, mark: selectHistoryMark(s, pathId) } };
}

export const historyPane: PaneReducer = {
  command(d, s, id) {
    if (!isHistoryCommand(id)) return undefined;
    if (s.focus !== 'history') return s; // the panel's keys work while it has the focus
    switch (d.kind) {
      case 'image':
        return imageCommand(d, s, id);
      case 'comparison':
        return comparisonCommand(d, s, id);
    }
  },
  cursor(d, s, verb) {
    switch (d.kind) {
      case 'image':
        return imageCursor(d, s, verb);
      case 'comparison':
        return s;
    }
  },
  // The panel keeps its window around the cursor as it draws (selectHistoryLines).
  wheel: (_d, s) => s,
  refit: (_d, s) => s,
};
