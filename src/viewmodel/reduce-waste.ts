import { moveCursor, type CursorVerb } from './cursor.js';
import { selectViewLayout } from './layout.js';
import type { PaneReducer } from './pane.js';
import { showPathAt } from './reduce-tree.js';
import type { AppState } from './state.js';
import type { ImageView, ViewData } from './view-data.js';
import { selectWasteTarget, wasteRows } from './waste-view.js';

/**
 * The wasted-files list of the image details pane: `W` focuses it when the image has one and
 * it is on screen (again: back to the tree), the cursor moves through it, Enter shows the path
 * in the tree at the last layer that wrote it. A comparison has no such list.
 */

/** Why `W` cannot focus the list, or undefined when it can. */
function whyNotFocusable(d: ViewData, s: AppState): string | undefined {
  switch (d.kind) {
    case 'comparison':
      return 'a comparison has no wasted-files list';
    case 'image':
      if (d.analysis.inefficientFiles.length === 0) return 'no wasted files: nothing was written twice';
      if (wasteRows(selectViewLayout(d, s)) === 0) return 'the window is too small to show the wasted-files list';
      return undefined;
  }
}

function imageCursor(d: ImageView, s: AppState, verb: CursorVerb): AppState {
  const n = d.analysis.inefficientFiles.length;
  if (n === 0) return s;
  const rows = Math.max(1, wasteRows(selectViewLayout(d, s)));
  return { ...s, waste: moveCursor(s.waste ?? { cursor: 0, scroll: 0 }, verb, n, rows) };
}

/** Enter: the selected wasted file in the tree, at the last layer that wrote it. */
function jump(d: ViewData, s: AppState): AppState {
  switch (d.kind) {
    case 'image': {
      const t = selectWasteTarget(d, s);
      return t ? showPathAt(d, s, t.layer, t.pathId, `${t.path}: L${t.layer} is the last layer that wrote it`) : s;
    }
    case 'comparison':
      return s;
  }
}

export const wastePane: PaneReducer = {
  command(d, s, id) {
    switch (id) {
      case 'waste.focus': {
        if (s.focus === 'waste') return { ...s, focus: 'tree' };
        const why = whyNotFocusable(d, s);
        return why ? { ...s, message: { text: why, tone: 'info' } } : { ...s, focus: 'waste' };
      }
      case 'waste.jump':
        return jump(d, s);
      default:
        return undefined;
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
  wheel: (_d, s) => s, // the wasted-files list moves by keys only
  refit: (_d, s) => s,
};
