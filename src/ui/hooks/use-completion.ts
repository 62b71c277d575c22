import { useEffect } from 'react';
import type { Action, ComparePrompt } from '../../viewmodel/index.js';

/**
 * Finds what a typed image argument may complete to: files and directories, image names.
 * It answers within its own bound (a daemon that is slow to answer is left out) and stops
 * when `signal` is aborted.
 */
export type Completer = { complete(text: string, signal: AbortSignal): Promise<readonly string[]> };

/**
 * Serves the compare prompt's Tab (`compare.completing` in the state): asks the completer for
 * the text as it was when Tab was pressed and hands the candidates back as
 * `compare.completed`. Never waits in a render; a prompt closed or typed on meanwhile drops
 * the answer (the reducer checks the text). Without a completer, Tab completes nothing.
 */
export function useCompletion(completer: Completer | undefined, prompt: ComparePrompt | undefined, dispatch: (a: Action) => void): void {
  const asked = prompt?.completing ? prompt.text : undefined;
  useEffect(() => {
    if (asked === undefined) return;
    if (!completer) return dispatch({ type: 'compare.completed', asked, candidates: [] });
    const ac = new AbortController();
    completer.complete(asked, ac.signal).then(
      (candidates) => {
        if (!ac.signal.aborted) dispatch({ type: 'compare.completed', asked, candidates });
      },
      () => {
        if (!ac.signal.aborted) dispatch({ type: 'compare.completed', asked, candidates: [] });
      },
    );
    return () => ac.abort();
  }, [asked, completer]);
}
