import { extractAllPrompt, selectExtractTarget } from './extract-view.js';
import type { AppState, ExtractProgress, ExtractTarget } from './state.js';
import type { ViewData } from './view-data.js';

/**
 * Extraction as a request in the state, as the viewer asks for windows: Ctrl+E (or y at a
 * prompt) puts `extraction.request` in the state; the UI's `useExtraction` runs it, reports its
 * progress and its end back as actions, and stops it when Esc marks it cancelled.
 */

/** What the extraction actions carry: the UI reports progress and the end, the user cancels. */
export type ExtractAction =
  /** Start one: of `target`, or (absent) of what the tree's cursor is on; `overwrite` answers the overwrite prompt. */
  | { readonly type: 'extract.start'; readonly overwrite: boolean; readonly target?: ExtractTarget }
  /** The running extraction advanced (reported by the UI). */
  | { readonly type: 'extract.progress'; readonly progress: Omit<ExtractProgress, 'path'> }
  /** The running extraction ended: its report, and what it skipped (for the `X` list). */
  | { readonly type: 'extract.end'; readonly text: string; readonly tone: 'info' | 'error'; readonly skipped?: AppState['lastSkipped'] }
  /** Esc while one runs: the UI stops it; its end says what was written whole. */
  | { readonly type: 'extract.cancel' }
  /** Files are in the way: ask before overwriting them (`target`: what to extract again). */
  | { readonly type: 'prompt.overwrite'; readonly path: string; readonly existing: readonly string[]; readonly target?: ExtractTarget }
  /** `n` (or Esc) at a prompt: nothing is extracted, and the status line says so. */
  | { readonly type: 'prompt.decline' };

const RUNNING = 'an extraction is running (Esc cancels)';

/**
 * Asks for an extraction: one at a time; without a target, the path under the tree's cursor
 * (an empty tree: the whole filesystem, after asking). Starting clears the last message, so
 * the status line is the extraction's.
 */
export function startExtraction(d: ViewData, s: AppState, req: { readonly overwrite: boolean; readonly target?: ExtractTarget }): AppState {
  if (s.extraction) return { ...s, message: { text: RUNNING, tone: 'info' } };
  const open: AppState = { ...s, prompt: undefined };
  switch (d.kind) {
    case 'comparison':
      return { ...open, message: { text: 'extraction is not available in a comparison of two images: open one image to extract from it', tone: 'info' } };
    case 'image': {
      let target = req.target;
      if (!target) {
        const t = selectExtractTarget(d, s);
        if ('error' in t) return { ...open, message: { text: t.error, tone: 'error' } };
        if ('all' in t) return extractAllPrompt(d, open); // an empty tree: offer the whole filesystem
        target = t;
      }
      const path = target.pathId === 0 ? '/' : `/${d.analysis.tree.pathOf(target.pathId)}`;
      return {
        ...open,
        message: undefined,
        extraction: { request: { target, overwrite: req.overwrite }, progress: { path, entries: 0, totalEntries: 0, bytes: 0, totalBytes: 0 }, cancelled: false },
      };
    }
  }
}

/** The extraction actions. */
export function reduceExtract(d: ViewData, s: AppState, action: ExtractAction): AppState {
  switch (action.type) {
    case 'extract.start':
      return startExtraction(d, s, action);
    case 'extract.progress': {
      const e = s.extraction;
      return e ? { ...s, extraction: { ...e, progress: { ...e.progress, ...action.progress } } } : s;
    }
    case 'extract.end':
      return { ...s, extraction: undefined, message: action.text ? { text: action.text, tone: action.tone } : undefined, ...(action.skipped ? { lastSkipped: action.skipped } : {}) };
    case 'extract.cancel':
      return s.extraction ? { ...s, extraction: { ...s.extraction, cancelled: true } } : s;
    case 'prompt.overwrite':
      return { ...s, prompt: { kind: 'overwrite', path: action.path, existing: action.existing, target: action.target }, message: undefined };
    case 'prompt.decline': {
      const p = s.prompt;
      if (p?.kind !== 'overwrite') return { ...s, prompt: undefined, message: { text: 'nothing extracted', tone: 'info' } };
      const n = p.existing.length;
      return { ...s, prompt: undefined, message: { text: `nothing extracted: ${n} existing ${n === 1 ? 'file' : 'files'} left as ${n === 1 ? 'it was' : 'they were'}`, tone: 'info' } };
    }
  }
}
