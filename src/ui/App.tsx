import { Box } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Analysis } from '../core/analyze.js';
import type { BodyReader, Extractor } from '../extract/types.js';
import { interpretKey } from '../viewmodel/input.js';
import type { Keymap } from '../viewmodel/keymap.js';
import { selectLayout } from '../viewmodel/layout.js';
import { reduce, type Action } from '../viewmodel/reducer.js';
import { selectHelpLines, selectInfoLines, type Verification, type ViewData } from '../viewmodel/rows.js';
import { createInitialState, type AppState, type Viewport } from '../viewmodel/state.js';
import { createDiffState, diffOf, layerRowCount } from '../viewmodel/diff-view.js';
import { selectFindingsLines } from '../viewmodel/findings-view.js';
import { prefetchNeighbours, selectCursorPath } from '../viewmodel/tree-view.js';
import { selectRange } from '../viewmodel/state.js';
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
};

/** The inspector: wires the pure reducer to keys and the viewport, and lays the panes out. */
export function App({ analysis, keymap, theme, symbols, viewport: fixed, extractor, reader, onQuit, notice, verification, compared, onCompare }: AppProps) {
  const viewport = useViewport(fixed);
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

  const extract = useCallback(
    async (overwrite: boolean) => {
      const s = stateRef.current;
      dispatch({ type: 'prompt.dismiss' });
      if (!extractor) return dispatch({ type: 'message', text: 'extraction is not available for this source', tone: 'error' });
      const pathId = selectCursorPath(analysis, s);
      if (pathId < 0) return dispatch({ type: 'message', text: 'nothing selected to extract', tone: 'error' });
      const { top } = selectRange(s);
      const path = `/${analysis.tree.pathOf(pathId)}`;
      try {
        const r = await extractor.extract({ layer: top, pathId, overwrite });
        if (r.kind === 'conflict') return dispatch({ type: 'prompt.overwrite', path, existing: r.existing });
        const skipped = r.skipped.length ? `, skipped ${r.skipped.length} (${r.skipped[0]!.path}: ${r.skipped[0]!.reason})` : '';
        dispatch({ type: 'message', text: `extracted ${path} from L${top}: wrote ${r.written.length} ${r.written.length === 1 ? 'entry' : 'entries'} to ./${r.written[0] ?? ''}${skipped}`, tone: r.skipped.length ? 'error' : 'info' });
      } catch (e) {
        dispatch({ type: 'message', text: `extract failed: ${(e as Error).message}`, tone: 'error' });
      }
    },
    [analysis, extractor, dispatch],
  );

  useDocuments(analysis, reader, state, dispatch);

  useKeys((key, raw) => {
    const out = interpretKey(keymap, stateRef.current, key, raw);
    if (out.kind === 'quit') onQuit();
    else if (out.kind === 'action') dispatch(out.action);
    else if (out.kind === 'extract') void extract(out.overwrite);
    else if (out.kind === 'compare') {
      dispatch({ type: 'input.cancel' });
      if (onCompare) onCompare(out.reference);
      else dispatch({ type: 'message', text: 'comparing is not available here', tone: 'error' });
    }
  });

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
            : [],
    [state, keymap, analysis, layout.cols],
  );
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
