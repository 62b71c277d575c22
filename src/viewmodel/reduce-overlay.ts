import type { CommandId } from './commands.js';
import { clampScroll, cursorTarget, isCursorVerb } from './cursor.js';
import { findingTarget, selectFindings } from './findings-view.js';
import { selectViewLayout } from './layout.js';
import { jumpToLayer } from './reduce-layers.js';
import { reveal } from './reduce-tree.js';
import type { AppState } from './state.js';
import type { ImageView, ViewData } from './view-data.js';

/**
 * The full-screen overlays over the panes: help, history and config, the skipped list (a page
 * the cursor keys scroll) and the findings panel (a cursor over the findings; Enter goes to
 * the layer and path one blames).
 */

/** Findings the panel has: the image's; a comparison opens no findings panel. */
function findingCount(d: ViewData): number {
  switch (d.kind) {
    case 'image':
      return selectFindings(d).length;
    case 'comparison':
      return 0;
  }
}

/** The findings panel: two lines per finding; the cursor moves by finding (ten a page) and the page follows it. */
function findingsCommand(d: ViewData, s: AppState, id: CommandId): AppState {
  if (id === 'app.findings') return { ...s, overlay: 'none', overlayScroll: 0 };
  if (!isCursorVerb(id)) return s;
  const n = findingCount(d);
  const page = Math.max(1, Math.floor((selectViewLayout(d, s).rows - 3) / 2));
  const cursor = cursorTarget(id, s.findingsCursor, n, 10);
  return { ...s, findingsCursor: cursor, overlayScroll: clampScroll(Math.floor(s.overlayScroll / 2), cursor, page, n) * 2 };
}

/** A page of lines (help, history and config, the skipped list): the cursor keys scroll it; its key again, or another overlay's, switches. */
function pageCommand(d: ViewData, s: AppState, id: CommandId): AppState {
  if (isCursorVerb(id)) {
    const page = Math.max(1, selectViewLayout(d, s).rows - 3);
    if (id === 'cursor.top') return { ...s, overlayScroll: 0 };
    if (id === 'cursor.bottom') return { ...s, overlayScroll: Number.MAX_SAFE_INTEGER };
    return { ...s, overlayScroll: Math.max(0, cursorTarget(id, s.overlayScroll, Number.MAX_SAFE_INTEGER, page)) };
  }
  switch (id) {
    case 'app.help':
      return { ...s, overlay: s.overlay === 'help' ? 'none' : 'help', overlayScroll: 0 };
    case 'app.info':
      return { ...s, overlay: s.overlay === 'info' ? 'none' : 'info', overlayScroll: 0 };
    case 'extract.skipped':
      return { ...s, overlay: s.overlay === 'skipped' ? 'none' : 'skipped', overlayScroll: 0 };
    default:
      return s;
  }
}

/** A command while an overlay is open. */
export function reduceOverlayCommand(d: ViewData, s: AppState, id: CommandId): AppState {
  return s.overlay === 'findings' ? findingsCommand(d, s, id) : pageCommand(d, s, id);
}

/** Enter in the findings panel: the layer the selected finding blames last, the tree's cursor on its largest path. */
export function goToFinding(d: ViewData, s: AppState): AppState {
  switch (d.kind) {
    case 'image':
      return goToImageFinding(d, s);
    case 'comparison':
      return { ...s, overlay: 'none' };
  }
}

function goToImageFinding(d: ImageView, s: AppState): AppState {
  const f = selectFindings(d)[s.findingsCursor];
  if (!f) return { ...s, overlay: 'none' };
  const { layer, pathId } = findingTarget(d.analysis, f);
  const jump = jumpToLayer(d, { ...s, overlay: 'none', overlayScroll: 0, focus: 'tree' }, layer);
  const at: AppState = jump.note ? { ...jump.state, message: { text: jump.note, tone: 'info' } } : jump.state;
  if (pathId < 0) return at;
  return { ...at, tree: { ...at.tree, cursorPath: pathId, collapse: reveal(d.analysis.tree, at.tree.collapse, pathId), hidden: { added: false, removed: false, modified: false, unmodified: false } } };
}
