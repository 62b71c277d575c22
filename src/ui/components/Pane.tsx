import { Box } from 'ink';
import type { Line, PaneView } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type PaneProps = { readonly view: PaneView & { input?: Line; head?: readonly Line[] }; readonly width: number; readonly theme: Theme };

/** A titled pane: title line, optional input and head lines, body lines. Every pane of the layout is one. */
export function Pane({ view, width, theme }: PaneProps) {
  const lines = [view.title, ...(view.input ? [view.input] : []), ...(view.head ?? []), ...view.lines];
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <PaneLines lines={lines} theme={theme} />
    </Box>
  );
}
