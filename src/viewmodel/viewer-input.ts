import type { Action } from './reducer.js';
import type { KeyOutcome } from './input.js';
import type { Keymap } from './keymap.js';
import type { KeyName } from './keys.js';
import type { AppState } from './state.js';
import type { ScrollTo } from './viewer-state.js';

const SCROLL: Record<string, ScrollTo> = {
  'cursor.up': 'up',
  'cursor.down': 'down',
  'cursor.pageUp': 'pageUp',
  'cursor.pageDown': 'pageDown',
  'cursor.top': 'top',
  'cursor.bottom': 'bottom',
};

/**
 * Keys while the file viewer or a file diff is open: the movement keys scroll it, `/` types a
 * search (Enter finds, Esc cancels), `n`/`N` go to the next or previous match, and Esc or `q`
 * go back to the panes (q does not quit here).
 */
export function interpretDocKey(keymap: Keymap, state: AppState, key: KeyName, raw: string): KeyOutcome {
  const act = (action: Action): KeyOutcome => ({ kind: 'action', action });
  const doc = state.fileDiff ?? state.viewer;
  if (!doc) return { kind: 'none' };
  if (doc.search.editing) {
    if (key === 'enter') return act({ type: 'doc.search', op: 'submit' });
    if (key === 'esc') return act({ type: 'doc.search', op: 'cancel' });
    if (key === 'backspace') return act({ type: 'doc.search', op: 'backspace' });
    // eslint-disable-next-line no-control-regex
    if (raw.length > 0 && !/[\u0000-\u001f\u007f]/.test(raw)) return act({ type: 'doc.search', op: 'text', text: raw });
    return { kind: 'none' };
  }
  if (key === 'esc' || key === 'q') return act({ type: 'doc.close' });
  const id = keymap.resolve('tree', key);
  if (id === 'search.open' || key === '/') return act({ type: 'doc.search', op: 'open' });
  if (id === 'search.next') return act({ type: 'doc.search', op: 'next' });
  if (id === 'search.prev') return act({ type: 'doc.search', op: 'prev' });
  const to = id ? SCROLL[id] : undefined;
  if (to) return act({ type: 'doc.scroll', to });
  if (key === 'space') return act({ type: 'doc.scroll', to: 'pageDown' });
  return { kind: 'none' };
}
