import { Box, Text } from 'ink';
import type { Line } from '../../viewmodel/segments.js';
import type { Theme } from '../theme.js';

export type PaneLinesProps = { readonly lines: readonly Line[]; readonly theme: Theme };

/** Draws pre-formatted lines: one `<Text>` per row, the cursor row inverted. */
export function PaneLines({ lines, theme }: PaneLinesProps) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate" inverse={l.selected === 'focused'} underline={l.selected === 'unfocused'}>
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
