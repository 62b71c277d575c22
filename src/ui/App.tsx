import { Box, Text, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Analysis } from '../core/index.js';
import type { BodyReader, Extractor } from '../extract/types.js';
import { interpretKey } from '../viewmodel/input.js';
import { osc52, selectCopyTarget } from '../viewmodel/copy.js';
import { interpretMouse, type MouseEvent } from '../viewmodel/mouse.js';
import type { Keymap } from '../viewmodel/keymap.js';
import { selectLayout, selectTooSmallText } from '../viewmodel/layout.js';
import { reduce, type Action } from '../viewmodel/reducer.js';
import { selectHelpLines, selectInfoLines, type Verification, type ViewData } from '../viewmodel/rows.js';
import { createInitialState, type AppState, type Viewport } from '../viewmodel/state.js';
import { createDiffState, diffOf, layerRowCount } from '../viewmodel/diff-view.js';
import { selectFindingsLines } from '../viewmodel/findings-view.js';
import { prefetchNeighbours } from '../viewmodel/tree-view.js';
import { extractCancelledMessage, extractDoneMessage, selectExtractTarget, selectSkippedLines } from '../viewmodel/extract-view.js';
import type { ExtractProgress, ExtractTarget } from '../viewmodel/state.js';
import { FileHistoryPane } from './components/FileHistoryPane.js';
import { FileTreePane } from './components/FileTreePane.js';
import { ImageDetails } from './components/ImageDetails.js';
import { LayerDetails } from './components/LayerDetails.js';
import { LayerPane } from './components/LayerPane.js';
import { Overlay } from './components/Overlay.js';
import { StatusBar } from './components/StatusBar.js';
import { Viewer } from './components/Viewer.js';
import { useDocuments } from './hooks/use-documents.js';
import { useKeys } from './hooks/use-keys.js';
import { useViewport } from './hooks/use-viewport.js';
import type { Theme } from './theme.js';

export type AppProps = {
  readonly analysis: Analysis;
  readonly keymap: Keymap;
  readonly theme: Theme;
  /** Diff symbols beside names (on under NO_COLOR). */
  readonly symbols: boolean;
  /** Fix the viewport (tests); otherwise the terminal's, following resizes. */
  readonly viewport?: Viewport;
  /** Writes the selected subtree to disk; absent: Ctrl+E says extraction is unavailable. */
  readonly extractor?: Extractor;
  /** Reads windows of file bodies for the viewer and the file diff; absent: they say contents are not available. */
  readonly reader?: BodyReader;
  /** Called once when the user quits. */
  readonly onQuit: () => void;
  /** A message to show first (config problems). */
  readonly notice?: string;
  /** Whether the image's bytes are verified yet (status bar mark). @default 'verified' */
  readonly verification?: Verification;
  /** In a comparison (`analysis` is its difference tree): the two images, for their file histories. */
  readonly compared?: ViewData['compared'];
  /** Opens the comparison of this image with another (the `c` prompt); absent: not available. */
  readonly onCompare?: (reference: string) => void;
  /** Puts text on the clipboard (`y`). @default an OSC 52 sequence written to Ink's stdout */
  readonly clipboard?: (text: string) => void;
};

/** The inspector: wires the pure reducer to keys and the viewport, and lays the panes out. */
export function App({ analysis, keymap, theme, symbols, viewport: fixed, extractor, reader, onQuit, notice, verification, compared, onCompare, clipboard }: AppProps) {
  const viewport = useViewport(fixed);
  const { stdout } = useStdout();
  const stateRef = useRef<AppState>(undefined as unknown as AppState);
  if (!stateRef.current) {
    const s = diffOf(analysis) ? createDiffState(viewport) : createInitialState(viewport, analysis.layers.length);
    stateRef.current = notice ? { ...s, message: { text: notice, tone: 'error' } } : s;
  }
  const [state, setState] = useState<AppState>(stateRef.current);
  // Keys can arrive several per event; each must see the state the previous one produced.
  const dispatch = useCallback(
    (action: Action) => {
      stateRef.current = reduce(analysis, stateRef.current, action);
      setState(stateRef.current);
    },
    [analysis],
  );
  // While idle after a layer change, prepare the neighbouring layers' trees.
  useEffect(() => {
    const t = setTimeout(() => prefetchNeighbours(analysis, stateRef.current), 40);
    return () => clearTimeout(t);
  }, [analysis, state.layers.cursor, state.layers.mode, state.layers.mark]);
  useEffect(() => {
    if (stateRef.current.viewport.cols !== viewport.cols || stateRef.current.viewport.rows !== viewport.rows) dispatch({ type: 'resize', viewport });
  }, [viewport, dispatch]);

  // The running extraction (one at a time); Esc aborts it.
  const running = useRef<AbortController | null>(null);
  const extract = useCallback(
    async (overwrite: boolean, given?: ExtractTarget) => {
      if (running.current) return dispatch({ type: 'message', text: 'an extraction is running (Esc cancels)', tone: 'info' });
      dispatch({ type: 'prompt.dismiss' });
      if (!extractor) return dispatch({ type: 'message', text: 'extraction is not available for this source', tone: 'error' });
      let target = given;
      if (!target) {
        const t = selectExtractTarget(analysis, stateRef.current);
        if ('error' in t) return dispatch({ type: 'message', text: t.error, tone: 'error' });
        if ('all' in t) return dispatch({ type: 'command', id: 'layers.extract' }); // an empty tree: offer the whole filesystem
        target = t;
      }
      const path = target.pathId === 0 ? '/' : `/${analysis.tree.pathOf(target.pathId)}`;
      const ac = new AbortController();
      running.current = ac;
      let progress: ExtractProgress = { path, entries: 0, totalEntries: 0, bytes: 0, totalBytes: 0 };
      let shown = 0;
      dispatch({ type: 'extract.progress', progress });
      const onProgress = (p: Omit<ExtractProgress, 'path'>) => {
        progress = { path, ...p };
        const now = Date.now();
        if (now - shown < 100) return; // at most ten redraws a second however many small files
        shown = now;
        dispatch({ type: 'extract.progress', progress });
      };
      try {
        const r = await extractor.extract({ layer: target.layer, pathId: target.pathId, overwrite, into: target.into }, { signal: ac.signal, onProgress });
        if (r.kind === 'conflict') {
          dispatch({ type: 'extract.end', text: '', tone: 'info' });
          return dispatch({ type: 'prompt.overwrite', path, existing: r.existing, target });
        }
        if (r.kind === 'cancelled') return dispatch({ type: 'extract.end', text: extractCancelledMessage(progress), tone: 'info' });
        dispatch({ type: 'extract.end', text: extractDoneMessage(path, target, r.written, r.bytes, r.skipped), tone: r.skipped.length ? 'error' : 'info', skipped: r.skipped });
      } catch (e) {
        if (ac.signal.aborted) dispatch({ type: 'extract.end', text: extractCancelledMessage(progress), tone: 'info' });
        else dispatch({ type: 'extract.end', text: `extract failed: ${(e as Error).message}`, tone: 'error' });
      } finally {
        running.current = null;
      }
    },
    [analysis, extractor, dispatch],
  );

  const copy = () => {
    const target = selectCopyTarget(analysis, stateRef.current);
    if ('error' in target) return dispatch({ type: 'message', text: target.error, tone: 'error' });
    if (clipboard) clipboard(target.text);
    else stdout.write(osc52(target.text));
    dispatch({ type: 'message', text: target.message, tone: 'info' });
  };

  // Clicks and the wheel become the same reducer actions keys do.
  const onMouse = (event: MouseEvent) => {
    for (const action of interpretMouse(analysis, stateRef.current, event)) dispatch(action);
  };

  useDocuments(analysis, reader, state, dispatch);

  useKeys((key, raw) => {
    const out = interpretKey(keymap, stateRef.current, key, raw);
    if (out.kind === 'quit') {
      running.current?.abort();
      onQuit();
    } else if (out.kind === 'action') dispatch(out.action);
    else if (out.kind === 'extract') void extract(out.overwrite, out.target);
    else if (out.kind === 'extract.cancel') running.current?.abort();
    else if (out.kind === 'copy') copy();
    else if (out.kind === 'compare') {
      dispatch({ type: 'input.cancel' });
      if (onCompare) onCompare(out.reference);
      else dispatch({ type: 'message', text: 'comparing is not available here', tone: 'error' });
    }
  }, onMouse);

  const data: ViewData = useMemo(() => ({ analysis, symbols, compared }), [analysis, symbols, compared]);
  const layout = selectLayout(state, layerRowCount(analysis));
  const overlayLines = useMemo(
    () =>
      state.overlay === 'help'
        ? selectHelpLines(keymap, layout.cols)
        : state.overlay === 'info'
          ? selectInfoLines(analysis, layout.cols)
          : state.overlay === 'findings'
            ? selectFindingsLines(analysis, state, layout.cols)
            : state.overlay === 'skipped'
              ? selectSkippedLines(state, layout.cols)
              : [],
    [state, keymap, analysis, layout.cols],
  );
  if (layout.tooSmall) {
    // Below the smallest layout, one centred line instead of panes drawn over each other; keys still work (q quits).
    return (
      <Box width={state.viewport.cols} height={state.viewport.rows} justifyContent="center" alignItems="center">
        <Text wrap="wrap">{selectTooSmallText(state)}</Text>
      </Box>
    );
  }
  if (state.viewer || state.fileDiff) return <Viewer keymap={keymap} state={state} theme={theme} verification={verification} />;
  return (
    <Box flexDirection="column" width={layout.cols} height={layout.rows}>
      {state.overlay !== 'none' ? (
        <Overlay lines={overlayLines} scroll={state.overlayScroll} width={layout.cols} height={layout.rows - 1} theme={theme} />
      ) : (
        <Box flexDirection="row" height={layout.rows - 1}>
          <Box flexDirection="column" width={layout.leftWidth} flexShrink={0}>
            <LayerPane data={data} state={state} layout={layout} theme={theme} />
            <LayerDetails data={data} state={state} layout={layout} theme={theme} />
            <ImageDetails data={data} state={state} layout={layout} theme={theme} />
          </Box>
          <Box width={1} flexShrink={0} />
          <Box flexDirection="column" width={layout.rightWidth} flexShrink={0}>
            <FileTreePane data={data} state={state} layout={layout} theme={theme} />
            {state.tree.fileHistory ? <FileHistoryPane data={data} state={state} layout={layout} theme={theme} /> : null}
          </Box>
        </Box>
      )}
      <StatusBar keymap={keymap} state={state} width={layout.cols} theme={theme} verification={verification} />
    </Box>
  );
}
