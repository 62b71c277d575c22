import { Box, Text } from 'ink';
import type { Line } from '../../viewmodel/segments.js';
import type { Theme } from '../theme.js';

export type PaneLinesProps = { readonly lines: readonly Line[]; readonly theme: Theme };

/** Draws pre-formatted lines: one `<Text>` per row, the cursor row as the theme draws it. */
export function PaneLines({ lines, theme }: PaneLinesProps) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate" {...(l.selected ? theme.selection(l.selected) : {})}>
          {l.segments.map((s, j) => (
            <Text key={j} {...theme.style(s.style)}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
