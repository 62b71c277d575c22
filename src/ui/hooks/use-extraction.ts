import { useEffect, useRef } from 'react';
import type { Extractor } from '../../extract/index.js';
import { extractCancelledMessage, extractDoneMessage, type Action, type AppState, type Extraction, type ExtractProgress } from '../../viewmodel/index.js';

/** Redraws of an extraction's progress at most this often (ms), however many small files it writes. */
const PROGRESS_EVERY_MS = 100;

/**
 * Runs the extraction the state asks for (`state.extraction.request`, one run per request),
 * as `useDocuments` runs the viewer's reads: its progress, its end (the report, or the
 * overwrite prompt when files are in the way) and its failure arrive as actions. Esc marks the
 * extraction cancelled and this stops it; leaving the inspector stops it too. Nothing is
 * half-written either way (the extractor removes a file it was writing).
 */
export function useExtraction(extractor: Extractor | undefined, extraction: Extraction | undefined, dispatch: (a: Action) => void): void {
  const running = useRef<AbortController | null>(null);
  const request = extraction?.request;
  useEffect(() => {
    if (!request || !extraction) return;
    if (!extractor) return dispatch({ type: 'extract.end', text: 'extraction is not available for this source', tone: 'error' });
    const { target, overwrite } = request;
    const path = extraction.progress.path;
    const ac = new AbortController();
    running.current = ac;
    let live = true;
    let progress: ExtractProgress = extraction.progress;
    let shown = 0;
    const onProgress = (p: Omit<ExtractProgress, 'path'>) => {
      progress = { path, ...p };
      const now = Date.now();
      if (now - shown < PROGRESS_EVERY_MS || !live) return;
      shown = now;
      dispatch({ type: 'extract.progress', progress: p });
    };
    const end = (text: string, tone: 'info' | 'error', skipped?: AppState['lastSkipped']) => dispatch({ type: 'extract.end', text, tone, ...(skipped ? { skipped } : {}) });
    extractor.extract({ layer: target.layer, pathId: target.pathId, overwrite, into: target.into }, { signal: ac.signal, onProgress }).then(
      (r) => {
        if (!live) return; // the inspector was left meanwhile
        if (r.kind === 'conflict') {
          end('', 'info');
          dispatch({ type: 'prompt.overwrite', path, existing: r.existing, target });
        } else if (r.kind === 'cancelled') end(extractCancelledMessage(progress), 'info');
        else end(extractDoneMessage(path, target, r.written, r.bytes, r.skipped), r.skipped.length ? 'error' : 'info', r.skipped);
      },
      (e: unknown) => {
        if (!live) return;
        if (ac.signal.aborted) end(extractCancelledMessage(progress), 'info');
        else end(`extract failed: ${(e as Error).message}`, 'error');
      },
    );
    return () => {
      live = false;
      ac.abort();
      running.current = null;
    };
    // Only a new request starts a run (the state it was asked in is captured with it).
  }, [request, extractor]);

  const cancelled = extraction?.cancelled ?? false;
  useEffect(() => {
    if (cancelled) running.current?.abort();
  }, [cancelled]);
}
