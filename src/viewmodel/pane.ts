import type { CommandId } from './commands.js';
import type { CursorVerb } from './cursor.js';
import type { AppState } from './state.js';
import type { ViewData } from './view-data.js';

/**
 * What a pane does with the input that reaches it. Each pane is one file (reduce-layers.ts,
 * reduce-tree.ts, …) exporting one of these; the reducer looks panes up in its table, so a
 * new pane is a new file and a row there, not a branch in the reducer.
 */
export type PaneReducer = {
  /** One of the pane's own commands (handled whatever has the focus); undefined: not one of them. */
  readonly command: (d: ViewData, s: AppState, id: CommandId) => AppState | undefined;
  /** A cursor verb while the pane has the focus (moved with the one helper in cursor.ts). */
  readonly cursor: (d: ViewData, s: AppState, verb: CursorVerb) => AppState;
  /** The mouse wheel over the pane: its window moves `delta` rows, the cursor stays inside it. */
  readonly wheel: (d: ViewData, s: AppState, delta: number) => AppState;
  /** After a resize: the window re-clamped to the new height, the cursor still in view. */
  readonly refit: (d: ViewData, s: AppState) => AppState;
};
