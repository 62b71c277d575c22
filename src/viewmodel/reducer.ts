import { sanitize } from '../format/index.js';
import type { CommandId } from './commands.js';
import type { KeyboardProtocol } from './keys.js';
import { isCursorVerb } from './cursor.js';
import type { PaneReducer } from './pane.js';
import { reduceExtract, type ExtractAction } from './reduce-extract.js';
import { historyPane } from './reduce-history.js';
import { reduceInput, type InputAction } from './reduce-input.js';
import { layersPane, selectLayerRow } from './reduce-layers.js';
import { goToFinding, reduceOverlayCommand } from './reduce-overlay.js';
import { clearPackageFocus, packagesPane, selectPackageRow } from './reduce-packages.js';
import { selectTreePath, treePane } from './reduce-tree.js';
import { reduceViewer } from './reduce-viewer.js';
import { wastePane } from './reduce-waste.js';
import type { AppState, Pane, Viewport } from './state.js';
import type { ViewData } from './view-data.js';
import type { ViewerAction } from './viewer-state.js';

/** Everything that changes the state. Keys become these in `interpretKey`, the mouse in `interpretMouse`. */
export type Action =
  /** A command; `enterAsCtrlM`: run by Enter in a terminal that sends it as Ctrl+M (the first such toggle shows a tip). */
  | { readonly type: 'command'; readonly id: CommandId; readonly enterAsCtrlM?: true }
  /** The terminal answered: it tells Enter from Ctrl+M (kitty's keyboard protocol). */
  | { readonly type: 'keyboard'; readonly protocol: KeyboardProtocol }
  | { readonly type: 'resize'; readonly viewport: Viewport }
  | InputAction
  | { readonly type: 'overlay.close' }
  /** A row of the layer list: a layer (in a comparison, a row of the aligned layers). */
  | { readonly type: 'layers.select'; readonly layer: number }
  | { readonly type: 'tree.select'; readonly pathId: number }
  /** The mouse: focus a pane (a click on it), scroll a pane's window (the wheel). */
  | { readonly type: 'focus'; readonly pane: Pane }
  | { readonly type: 'scroll'; readonly pane: Pane; readonly delta: number }
  /** Esc in the tree with a kept filter: clear it. */
  | { readonly type: 'filter.clear' }
  | { readonly type: 'message'; readonly text: string; readonly tone: 'info' | 'error' }
  /** Enter in the findings panel: go to the selected finding's layer and path. */
  | { readonly type: 'findings.select' }
  /** Extraction: asked for, reported on by the UI, cancelled; its prompts (see reduce-extract.ts). */
  | ExtractAction
  /** The file viewer, the file diff (see reduce-viewer.ts). */
  | ViewerAction
  | { readonly type: 'history.close' }
  /** A click on a row of the packages pane. */
  | { readonly type: 'packages.select'; readonly row: number }
  /** Esc in a tree narrowed to one package's files: all files again. */
  | { readonly type: 'package.clear' };

/**
 * The panes, each with its own reducer file. A command goes to the pane that owns it, a
 * cursor verb to the focused pane, the wheel to the pane under the pointer.
 */
const PANES: Readonly<Record<Pane, PaneReducer>> = {
  // First: over the tree, it takes the search and filter keys while it has the focus.
  packages: packagesPane,
  layers: layersPane,
  tree: treePane,
  waste: wastePane,
  history: historyPane,
};

/** The pure reducer: the same view, state and action always give the same state. */
export function reduce(d: ViewData, s: AppState, action: Action): AppState {
  switch (action.type) {
    case 'resize': {
      // The windows re-clamped to the new heights, so the selected rows stay in view and a list that grew uses its room.
      // A note about what was on screen (a match count, a jump) goes with it; an error stays until a key.
      let out: AppState = { ...s, viewport: action.viewport, message: s.message?.tone === 'error' ? s.message : undefined };
      for (const pane of Object.values(PANES)) out = pane.refit(d, out);
      return out;
    }
    case 'message':
      return { ...s, message: { text: action.text, tone: action.tone } };
    case 'keyboard':
      return { ...s, keyboard: action.protocol };
    case 'filter.clear':
      return { ...s, filter: { text: '', editing: false }, message: { text: 'filter cleared', tone: 'info' } };
    case 'overlay.close':
      return { ...s, overlay: 'none', overlayScroll: 0 };
    case 'findings.select':
      return goToFinding(d, s);
    // The mouse moves things as keys do: the last message goes, as it does on a command.
    case 'layers.select':
      return selectLayerRow(d, { ...s, message: undefined }, action.layer);
    case 'tree.select':
      return selectTreePath(d, { ...s, message: undefined }, action.pathId);
    case 'focus':
      return { ...s, focus: action.pane, message: undefined };
    case 'scroll':
      return PANES[action.pane].wheel(d, { ...s, message: undefined }, action.delta);
    case 'input.text':
    case 'input.backspace':
    case 'input.submit':
    case 'input.cancel':
    case 'compare.complete':
    case 'compare.completed':
      return reduceInput(d, s, action);
    case 'command': {
      const out = reduceCommand(d, { ...s, message: undefined }, action.id);
      return action.enterAsCtrlM ? enterTip(s, out) : out;
    }
    case 'history.close':
      return { ...s, focus: s.focus === 'history' ? 'tree' : s.focus, tree: { ...s.tree, fileHistory: false } };
    case 'packages.select':
      return selectPackageRow(d, s, action.row);
    case 'package.clear':
      return clearPackageFocus(s);
    case 'extract.start':
    case 'extract.progress':
    case 'extract.end':
    case 'extract.cancel':
    case 'prompt.overwrite':
    case 'prompt.decline':
      return reduceExtract(d, s, action);
    default:
      return reduceViewer(s, action);
  }
}

/** An overlay takes every command while open; then the app's own; then the pane that owns it; a cursor verb moves the focused pane. */
function reduceCommand(d: ViewData, s: AppState, id: CommandId): AppState {
  if (s.overlay !== 'none') return reduceOverlayCommand(d, s, id);
  const app = reduceAppCommand(d, s, id);
  if (app) return app;
  for (const pane of Object.values(PANES)) {
    const out = pane.command(d, s, id);
    if (out) return out;
  }
  return isCursorVerb(id) ? PANES[s.focus].cursor(d, s, id) : s;
}

/** The tip shown the first time Enter (sent as Ctrl+M) hides modified files: why files vanished, and what collapses. */
export const ENTER_TIP = 'Enter = Ctrl+M: showing/hiding modified · Space collapses';

/** After Enter ran a command as Ctrl+M: the first time it hid modified files, the tip says why they vanished. */
function enterTip(before: AppState, after: AppState): AppState {
  const hid = !before.tree.hidden.modified && after.tree.hidden.modified;
  if (!hid || after.tips.enterIsCtrlM) return after;
  return { ...after, tips: { ...after.tips, enterIsCtrlM: true }, message: { text: ENTER_TIP, tone: 'info' } };
}

/** Tab order of the panes: the history panel joins when it is open; the packages pane takes the tree's turn while open. */
function nextPane(s: AppState): Pane {
  if (s.packages?.open) return s.focus === 'packages' ? 'layers' : 'packages';
  if (s.focus === 'layers') return 'tree';
  if (s.focus === 'tree') return s.tree.fileHistory ? 'history' : 'layers';
  return 'layers';
}

/** Commands of the whole inspector: overlays, the compare prompt, Tab; undefined: a pane's command. */
function reduceAppCommand(d: ViewData, s: AppState, id: CommandId): AppState | undefined {
  switch (id) {
    case 'app.quit':
    case 'app.copy':
      return s; // effects, run by the UI
    case 'app.help':
      return { ...s, overlay: 'help', overlayScroll: 0 };
    case 'app.info':
      return { ...s, overlay: 'info', overlayScroll: 0 };
    case 'app.switchPane':
      return { ...s, focus: nextPane(s) };
    case 'extract.skipped':
      return s.lastSkipped?.length ? { ...s, overlay: 'skipped', overlayScroll: 0 } : { ...s, message: { text: 'the last extraction skipped nothing', tone: 'info' } };
    case 'app.findings':
      return openFindings(d, s);
    case 'app.compare':
      return openCompare(d, s);
    default:
      return undefined;
  }
}

/** `e`: the findings panel of an image; a comparison's findings are each image's own. */
function openFindings(d: ViewData, s: AppState): AppState {
  switch (d.kind) {
    case 'image':
      return { ...s, overlay: 'findings', overlayScroll: 0, findingsCursor: 0 };
    case 'comparison':
      return { ...s, message: { text: 'findings are per image: open one image to see them', tone: 'info' } };
  }
}

/** `c`: the prompt for another image to compare this one with; a comparison says how to get another. */
function openCompare(d: ViewData, s: AppState): AppState {
  switch (d.kind) {
    case 'image':
      return { ...s, compare: { text: '' }, filter: { ...s.filter, editing: false }, search: { ...s.search, editing: false } };
    case 'comparison':
      if (s.backTo) return { ...s, message: { text: `this is a comparison: Esc goes back to ${sanitize(s.backTo)}, where c compares it with another`, tone: 'info' } };
      return { ...s, message: { text: 'this is a comparison already; run inspect-tui diff OLD NEW for another', tone: 'info' } };
  }
}
