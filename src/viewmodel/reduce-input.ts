import { applyCompletion } from './compare-prompt.js';
import { cursorPos, searchFrom } from './reduce-tree.js';
import type { AppState } from './state.js';
import { selectTreeView } from './tree-view.js';
import type { ViewData } from './view-data.js';

/**
 * The line being typed: the "compare with" prompt (Enter there is run by the UI: it opens the
 * comparison), the filter (live), or the search (live from where it started; Esc goes back).
 */

export type InputAction =
  | { readonly type: 'input.text'; readonly text: string }
  | { readonly type: 'input.backspace' }
  | { readonly type: 'input.submit' }
  | { readonly type: 'input.cancel' }
  /** Tab at the compare prompt: the UI's completer is asked (see `useCompletion`). */
  | { readonly type: 'compare.complete' }
  /** The completer's candidates for the text `asked`. */
  | { readonly type: 'compare.completed'; readonly asked: string; readonly candidates: readonly string[] };

const dropLast = (text: string) => [...text].slice(0, -1).join('');

export function reduceInput(d: ViewData, s: AppState, action: InputAction): AppState {
  if (s.compare) {
    switch (action.type) {
      case 'input.text':
        return { ...s, compare: { text: s.compare.text + action.text } };
      case 'input.backspace':
        return { ...s, compare: { text: dropLast(s.compare.text) } };
      case 'compare.complete':
        return { ...s, compare: { text: s.compare.text, completing: true }, message: undefined };
      case 'compare.completed':
        return applyCompletion(s, action.asked, action.candidates);
      default:
        return { ...s, compare: undefined };
    }
  }
  if (s.packages && (s.packages.editing || (action.type === 'input.cancel' && s.focus === 'packages'))) {
    // The packages pane's filter: live; Esc clears it (typing or kept), Enter keeps it.
    const p = s.packages;
    switch (action.type) {
      case 'input.text':
        return { ...s, packages: { ...p, filter: p.filter + action.text, cursor: 0, scroll: 0 } };
      case 'input.backspace':
        return { ...s, packages: { ...p, filter: dropLast(p.filter), cursor: 0, scroll: 0 } };
      case 'input.submit':
        return { ...s, packages: { ...p, editing: false } };
      case 'input.cancel':
        return { ...s, packages: { ...p, filter: '', editing: false, cursor: 0, scroll: 0 } };
    }
  }
  if (s.filter.editing) {
    switch (action.type) {
      case 'input.text':
        return { ...s, filter: { ...s.filter, text: s.filter.text + action.text } };
      case 'input.backspace':
        return { ...s, filter: { ...s.filter, text: dropLast(s.filter.text) } };
      case 'input.submit':
        return { ...s, filter: { ...s.filter, editing: false } };
      case 'input.cancel':
        return { ...s, filter: { text: '', editing: false } };
    }
  }
  if (s.search.editing) {
    const origin = s.search.origin;
    const fromOrigin = (text: string) => {
      const base: AppState = { ...s, search: { ...s.search, text }, tree: { ...s.tree, cursorPath: origin }, message: undefined };
      if (text === '') return base;
      return searchFrom(d, base, text, cursorPos(selectTreeView(d, base)), 1, true);
    };
    switch (action.type) {
      case 'input.text':
        return fromOrigin(s.search.text + action.text);
      case 'input.backspace':
        return fromOrigin(dropLast(s.search.text));
      case 'input.submit':
        return { ...s, search: { ...s.search, editing: false } };
      case 'input.cancel':
        return { ...s, search: { text: '', editing: false, origin: -1 }, tree: { ...s.tree, cursorPath: origin }, message: undefined };
    }
  }
  return s;
}
