import type { Action } from './reducer.js';
import type { Keymap } from './keymap.js';
import type { KeyName } from './keys.js';
import type { AppState } from './state.js';
import type { CommandId } from './commands.js';
import { interpretDocKey } from './viewer-input.js';

/** What a key press means now: a state change, or an effect the UI runs (quit, copy, compare). */
export type KeyOutcome =
  | { readonly kind: 'action'; readonly action: Action }
  | { readonly kind: 'quit' }
  /** Copy the selection to the clipboard (`app.copy`). */
  | { readonly kind: 'copy' }
  /** Open the comparison of this image with the one typed at the prompt. */
  | { readonly kind: 'compare'; readonly reference: string }
  /** Leave a comparison opened with `c` for the image it was opened from. */
  | { readonly kind: 'back' }
  | { readonly kind: 'none' };

const OVERLAY_COMMANDS: ReadonlySet<CommandId> = new Set([
  'cursor.up',
  'cursor.down',
  'cursor.pageUp',
  'cursor.pageDown',
  'cursor.top',
  'cursor.bottom',
  'app.help',
  'app.info',
  'app.findings',
  'extract.skipped',
]);

/**
 * Interprets one decoded key (`raw` is what the terminal sent, for text input) in the current
 * state: a pending prompt first, then the filter or search line, then overlays, then Esc
 * (cancels a running extraction, else clears a kept filter), then the keymap for the focused
 * pane. Ctrl+C always quits.
 */
export function interpretKey(keymap: Keymap, state: AppState, key: KeyName, raw: string): KeyOutcome {
  const act = (action: Action): KeyOutcome => ({ kind: 'action', action });
  if (key === 'ctrl+c') return { kind: 'quit' };
  if (state.prompt) {
    const p = state.prompt;
    if (key === 'y' || key === 'Y') return act({ type: 'extract.start', overwrite: p.kind === 'overwrite', target: p.target });
    if (key === 'n' || key === 'N' || key === 'esc' || key === 'enter') return act({ type: 'prompt.decline' });
    return { kind: 'none' };
  }
  if (state.viewer || state.fileDiff) return interpretDocKey(keymap, state, key, raw);
  if (state.compare) {
    if (key === 'enter') return state.compare.text.trim() ? { kind: 'compare', reference: state.compare.text.trim() } : act({ type: 'input.cancel' });
    if (key === 'esc') return act({ type: 'input.cancel' });
    if (key === 'backspace') return act({ type: 'input.backspace' });
    if (key === 'tab') return state.compare.completing ? { kind: 'none' } : act({ type: 'compare.complete' });
    // eslint-disable-next-line no-control-regex
    if (raw.length > 0 && !/[\u0000-\u001f\u007f]/.test(raw)) return act({ type: 'input.text', text: raw });
    return { kind: 'none' };
  }
  if (state.filter.editing || state.search.editing || state.packages?.editing) {
    if (key === 'enter') return act({ type: 'input.submit' });
    if (key === 'esc') return act({ type: 'input.cancel' });
    if (key === 'backspace') return act({ type: 'input.backspace' });
    // eslint-disable-next-line no-control-regex
    if (raw.length > 0 && !/[\u0000-\u001f\u007f]/.test(raw)) return act({ type: 'input.text', text: raw });
    if ((state.filter.editing || state.packages?.editing) && keymap.resolve('tree', key) === 'filter.open') return act({ type: 'input.submit' });
    return { kind: 'none' };
  }
  if (state.overlay !== 'none' && key === 'esc') return act({ type: 'overlay.close' });
  if (state.overlay === 'none' && key === 'esc' && state.tree.fileHistory) return act({ type: 'history.close' });
  if (state.overlay === 'findings' && key === 'enter') return act({ type: 'findings.select' });
  if (key === 'esc' && state.extraction) return act({ type: 'extract.cancel' });
  if (key === 'esc' && state.filter.text !== '') return act({ type: 'filter.clear' });
  if (key === 'esc' && state.focus === 'waste') return act({ type: 'command', id: 'waste.focus' }); // back to the tree
  if (key === 'esc' && state.focus === 'packages' && state.packages?.filter) return act({ type: 'input.cancel' }); // the kept filter first
  if (key === 'esc' && state.focus === 'packages' && state.packages?.open) return act({ type: 'command', id: 'app.packages' }); // back to the tree
  if (key === 'esc' && state.focus === 'tree' && state.tree.package) return act({ type: 'package.clear' });
  // Nothing else to close: a comparison opened with `c` goes back to its image.
  if (key === 'esc' && state.backTo !== undefined && state.overlay === 'none') return { kind: 'back' };
  // Where Enter and Ctrl+M are one byte, a binding of Ctrl+M in the pane (dive's "toggle
  // modified") is what that byte means; Enter's own binding only where the terminal tells them apart.
  const twin = state.keyboard === 'legacy' && key === 'enter' ? keymap.resolve(state.focus, 'ctrl+m') : undefined;
  const id = twin ?? keymap.resolve(state.focus, key);
  if (!id) return { kind: 'none' };
  if (id === 'app.quit') return { kind: 'quit' };
  if (state.overlay !== 'none' && !OVERLAY_COMMANDS.has(id)) return { kind: 'none' };
  if ((id === 'tree.extract' || id === 'layers.extract') && state.extraction) return act({ type: 'message', text: 'an extraction is running (Esc cancels)', tone: 'info' });
  if (id === 'app.copy') return { kind: 'copy' };
  return act(twin ? { type: 'command', id, enterAsCtrlM: true } : { type: 'command', id });
}
