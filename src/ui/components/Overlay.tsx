import { Box } from 'ink';
import { type Line, selectOverlayWindow } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type OverlayProps = { readonly lines: readonly Line[]; readonly scroll: number; readonly width: number; readonly height: number; readonly theme: Theme };

/** A full-screen scrollable page (help, history and config) over the panes. */
export function Overlay({ lines, scroll, width, height, theme }: OverlayProps) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneLines lines={selectOverlayWindow(lines, scroll, height, width)} theme={theme} />
    </Box>
  );
}
