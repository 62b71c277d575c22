import { Box, Text, useStdout } from 'ink';
import { sanitize } from '../format/index.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BodyReader, Extractor } from '../extract/index.js';
import {
  interpretKey,
  osc52,
  selectCopyTarget,
  interpretMouse,
  type MouseEvent,
  type Keymap,
  type KeyboardProtocol,
  selectTooSmallText,
  selectViewLayout,
  reduce,
  type Action,
  selectOverlayLines,
  type Verification,
  createViewState,
  type AppState,
  type Viewport,
  buildImageTreeIndex,
  treeQueryKey,
  selectTreeBuilds,
  selectTreeQuery,
  selectTreeReady,
  type ViewData,
} from '../viewmodel/index.js';
import { FileHistoryPane } from './components/FileHistoryPane.js';
import { FileTreePane } from './components/FileTreePane.js';
import { ImageDetails } from './components/ImageDetails.js';
import { LayerDetails } from './components/LayerDetails.js';
import { LayerPane } from './components/LayerPane.js';
import { Overlay } from './components/Overlay.js';
import { PackagesPane } from './components/PackagesPane.js';
import { StatusBar } from './components/StatusBar.js';
import { Viewer } from './components/Viewer.js';
import { useDocuments } from './hooks/use-documents.js';
import { useCompletion, type Completer } from './hooks/use-completion.js';
import { useExtraction } from './hooks/use-extraction.js';
import { useKeys } from './hooks/use-keys.js';
import { useViewport } from './hooks/use-viewport.js';
import type { Theme } from './theme.js';

/** How long one slice of a tree build may hold the event loop: keys and frames come between slices. */
const SLICE_MS = 8;

export type AppProps = {
  /** What is shown: one image, or the comparison of two (see `imageView`, `comparisonView`). */
  readonly view: ViewData;
  readonly keymap: Keymap;
  readonly theme: Theme;
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
  /** Opens the comparison of this image with another (the `c` prompt); absent: not available. */
  readonly onCompare?: (reference: string) => void;
  /** Puts text on the clipboard (`y`). @default an OSC 52 sequence written to Ink's stdout */
  readonly clipboard?: (text: string) => void;
  /** How the terminal reports keys, as far as is known when the view opens. @default 'legacy' */
  readonly keyboard?: KeyboardProtocol;
  /** Told when the terminal turns out to tell Enter from Ctrl+M (so a later view starts knowing it). */
  readonly onKeyboard?: (p: KeyboardProtocol) => void;
  /** Completes the image typed at the `c` prompt (Tab); absent: Tab completes nothing. */
  readonly completer?: Completer;
  /** A comparison opened with `c`: the image it was opened from, which Esc goes back to with `onBack`. */
  readonly backTo?: string;
  readonly onBack?: () => void;
};

/** The inspector: wires the pure reducer to keys, the mouse and the viewport, serves what the state asks for, and lays the panes out. */
export function App({ view, keymap, theme, viewport: fixed, extractor, reader, onQuit, notice, verification, onCompare, clipboard, keyboard, onKeyboard, completer, backTo, onBack }: AppProps) {
  const viewport = useViewport(fixed);
  const { stdout } = useStdout();
  const stateRef = useRef<AppState>(undefined as unknown as AppState);
  if (!stateRef.current) {
    const s = { ...createViewState(view, viewport), keyboard: keyboard ?? 'legacy', ...(backTo !== undefined && onBack ? { backTo } : {}) };
    // A comparison opened with `c` says at once how to get back.
    const first = notice ? { text: notice, tone: 'error' as const } : s.backTo !== undefined ? { text: `Esc goes back to ${sanitize(s.backTo)}`, tone: 'info' as const } : undefined;
    stateRef.current = first ? { ...s, message: first } : s;
  }
  const [state, setState] = useState<AppState>(stateRef.current);
  // A notice that comes after the view opened (a package database found unreadable once the packages are read) is said then.
  const said = useRef(notice);
  // Keys can arrive several per event; each must see the state the previous one produced. The
  // screen follows once per event, not once per key: a held key whose repeats pile up while a
  // frame is drawn is applied whole (no key dropped) and drawn once (no frame queued behind it).
  const drawScheduled = useRef(false);
  const dispatch = useCallback(
    (action: Action) => {
      stateRef.current = reduce(view, stateRef.current, action);
      if (drawScheduled.current) return;
      drawScheduled.current = true;
      queueMicrotask(() => {
        drawScheduled.current = false;
        setState(stateRef.current);
      });
    },
    [view],
  );
  useEffect(() => {
    if (notice === undefined || notice === said.current) return;
    said.current = notice;
    dispatch({ type: 'message', text: notice, tone: 'error' });
  }, [notice, dispatch]);
  // Trees are built between frames, a slice at a time: first the one shown (drawn as pending
  // until then, so a layer change, sort or filter keystroke draws at once and keys go on), then
  // the neighbouring layers' (so stepping through layers finds them ready). A new query starts
  // over; what a slice finished stays built.
  const [, setTreesBuilt] = useState(0);
  const treeKey = view.kind === 'image' ? treeQueryKey(selectTreeQuery(view, state)) : '';
  // Whether the frame drawn last says the tree is being built: redrawn once it is (whichever
  // build finished it, a neighbour's begun before the key included).
  const drawnPending = useRef(false);
  const pendingNow = !selectTreeReady(view, state);
  drawnPending.current = pendingNow;
  // The neighbouring layers are built after a change of the selected layer (or of what it is
  // compared with), not after each sort or filter keystroke, until they are.
  const layerKey = `${state.layers.cursor}|${state.layers.mode}|${state.layers.mark}`;
  const seenLayerKey = useRef<string | undefined>(undefined);
  const wantNeighbours = useRef(false);
  if (seenLayerKey.current !== layerKey) {
    seenLayerKey.current = layerKey;
    wantNeighbours.current = true;
  }
  useEffect(() => {
    if (view.kind !== 'image') return;
    const redrawIfBuilt = () => {
      if (drawnPending.current && selectTreeReady(view, stateRef.current)) setTreesBuilt((n) => n + 1);
    };
    redrawIfBuilt();
    const queue = selectTreeBuilds(view, stateRef.current, wantNeighbours.current);
    if (queue.length === 0) {
      wantNeighbours.current = false;
      return;
    }
    let build = buildImageTreeIndex(view, queue.shift()!);
    let timer: NodeJS.Immediate | undefined;
    const pump = () => {
      timer = undefined;
      if (build.step(SLICE_MS)) {
        redrawIfBuilt();
        const next = queue.shift();
        if (!next) {
          wantNeighbours.current = false;
          return;
        }
        build = buildImageTreeIndex(view, next);
      }
      timer = setImmediate(pump);
    };
    timer = setImmediate(pump);
    return () => {
      if (timer) clearImmediate(timer);
    };
  }, [view, treeKey, state.layers.cursor, pendingNow]);
  useEffect(() => {
    if (stateRef.current.viewport.cols !== viewport.cols || stateRef.current.viewport.rows !== viewport.rows) dispatch({ type: 'resize', viewport });
  }, [viewport, dispatch]);

  // What the state asks for: windows of a file, both versions of a diffed file, an extraction.
  useDocuments(view, reader, state, dispatch);
  useExtraction(extractor, state.extraction, dispatch);
  useCompletion(completer, state.compare, dispatch);

  const copy = () => {
    const target = selectCopyTarget(view, stateRef.current);
    if ('error' in target) return dispatch({ type: 'message', text: target.error, tone: 'error' });
    if (clipboard) clipboard(target.text);
    else stdout.write(osc52(target.text));
    dispatch({ type: 'message', text: target.message, tone: 'info' });
  };

  // Clicks and the wheel become the same reducer actions keys do.
  const onMouse = (event: MouseEvent) => {
    for (const action of interpretMouse(view, stateRef.current, event)) dispatch(action);
  };

  useKeys((key, raw) => {
    const out = interpretKey(keymap, stateRef.current, key, raw);
    if (out.kind === 'quit') onQuit(); // a running extraction stops when the inspector goes
    else if (out.kind === 'action') dispatch(out.action);
    else if (out.kind === 'copy') copy();
    else if (out.kind === 'back') onBack?.();
    else if (out.kind === 'compare') {
      dispatch({ type: 'input.cancel' });
      if (onCompare) onCompare(out.reference);
      else dispatch({ type: 'message', text: 'comparing is not available here', tone: 'error' });
    }
  }, onMouse, (protocol) => {
    if (stateRef.current.keyboard !== protocol) dispatch({ type: 'keyboard', protocol });
    onKeyboard?.(protocol);
  });

  const layout = selectViewLayout(view, state);
  const overlayLines = useMemo(() => selectOverlayLines(view, state, keymap, layout.cols), [view, state, keymap, layout.cols]);
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
            <LayerPane data={view} state={state} layout={layout} theme={theme} />
            <LayerDetails data={view} state={state} layout={layout} theme={theme} />
            <ImageDetails data={view} state={state} layout={layout} theme={theme} />
          </Box>
          <Box width={1} flexShrink={0} />
          <Box flexDirection="column" width={layout.rightWidth} flexShrink={0}>
            {layout.packagesOpen ? (
              <PackagesPane data={view} state={state} layout={layout} theme={theme} />
            ) : (
              <>
                <FileTreePane data={view} state={state} layout={layout} theme={theme} />
                {state.tree.fileHistory ? <FileHistoryPane data={view} state={state} layout={layout} theme={theme} /> : null}
              </>
            )}
          </Box>
        </Box>
      )}
      <StatusBar keymap={keymap} state={state} width={layout.cols} theme={theme} verification={verification} />
    </Box>
  );
}
