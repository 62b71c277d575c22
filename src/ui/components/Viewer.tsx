import { Box } from 'ink';
import type { Keymap } from '../../viewmodel/keymap.js';
import type { AppState } from '../../viewmodel/state.js';
import { selectFileDiffScreen, selectViewerScreen } from '../../viewmodel/viewer.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type ViewerProps = { readonly keymap: Keymap; readonly state: AppState; readonly theme: Theme };

/** The file viewer or a file diff, full screen: the lines come ready from the view model. */
export function Viewer({ keymap, state, theme }: ViewerProps) {
  const lines = state.fileDiff ? selectFileDiffScreen(keymap, state, state.fileDiff) : state.viewer ? selectViewerScreen(keymap, state, state.viewer) : [];
  return (
    <Box flexDirection="column" width={state.viewport.cols} height={state.viewport.rows}>
      <PaneLines lines={lines} theme={theme} />
    </Box>
  );
}
