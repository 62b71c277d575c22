/**
 * The inspector without a terminal: its state and reducer, the keys and mouse input they
 * interpret, the layout, and the selectors that turn state into the lines each pane and screen
 * shows. Testable without Ink. The only module other folders import from `viewmodel/`.
 */
export type { ComparePrompt } from './compare-prompt.js';
export { osc52, selectCopyTarget } from './copy.js';
export { MAX_MATCHES } from './doc-search.js';
export { extractCancelledMessage, extractDoneMessage } from './extract-view.js';
export { DIFF_CAP } from './file-diff.js';
export type { DiffSide } from './file-diff.js';
export { interpretKey } from './input.js';
export { createKeymap, parseKeyConfig } from './keymap.js';
export type { Keymap } from './keymap.js';
export { decodeKey, isKeyboardReply, KITTY_KEYS_OFF, KITTY_KEYS_ON, KITTY_KEYS_QUERY } from './keys.js';
export type { KeyboardProtocol, KeyName } from './keys.js';
export { selectTooSmallText, selectViewLayout } from './layout.js';
export type { Layout } from './layout.js';
export { createInputSplitter, interpretMouse, MOUSE_OFF, MOUSE_ON } from './mouse.js';
export type { MouseEvent } from './mouse.js';
export { selectPackagesNotice, selectPackagesPane } from './packages-view.js';
export { viewerPattern } from './reduce-viewer.js';
export { reduce } from './reducer.js';
export type { Action } from './reducer.js';
export {
  selectFileHistoryPane,
  selectImageDetails,
  selectLayerDetails,
  selectLayerPane,
  selectOverlayLines,
  selectOverlayWindow,
  selectPendingTreePane,
  selectStatusBar,
  selectTreePane,
} from './rows.js';
export type { PaneView, Verification } from './rows.js';
export type { Line, Style } from './segments.js';
export { createViewState } from './state.js';
export type { AppState, Extraction, ExtractProgress, Viewport } from './state.js';
export { prefetchNeighbours, selectCursorPath, selectTreeBuilds, selectTreeQuery, selectTreeReady } from './tree-view.js';
export { buildImageTreeIndex, treeQueryKey } from './tree-index.js';
export { THEME_NAMES } from './ui-config.js';
export type { ThemeName, UiSettings } from './ui-config.js';
export { comparisonView, imageView, withPackages } from './view-data.js';
export type { ImageView, ViewData } from './view-data.js';
export { loadHighlighter } from './viewer-text.js';
export { selectFileDiffScreen, selectViewerScreen } from './viewer.js';
export { createTheme, wantsColor, type TextStyle, type Theme } from './theme.js';
