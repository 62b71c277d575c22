import { Box } from 'ink';
import { type Keymap, selectStatusBar, type Verification, type AppState, selectFileDiffScreen, selectViewerScreen } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type ViewerProps = { readonly keymap: Keymap; readonly state: AppState; readonly theme: Theme; readonly verification?: Verification };

/** The file viewer or a file diff, full screen: the lines come ready from the view model. */
export function Viewer({ keymap, state, theme, verification }: ViewerProps) {
  const lines = state.fileDiff ? selectFileDiffScreen(keymap, state, state.fileDiff) : state.viewer ? selectViewerScreen(keymap, state, state.viewer) : [];
  // Bytes that contradict their digests are said here too, over the viewer's own status line.
  if (typeof verification === 'object' && lines.length > 0) lines[lines.length - 1] = selectStatusBar(keymap, state, state.viewport.cols, verification);
  return (
    <Box flexDirection="column" width={state.viewport.cols} height={state.viewport.rows}>
      <PaneLines lines={lines} theme={theme} />
    </Box>
  );
}
