import { Box, Text } from 'ink';
import type { Line } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';

export type PaneLinesProps = { readonly lines: readonly Line[]; readonly theme: Theme };

/**
 * The segments to draw: a row's trailing padding (an unstyled run of spaces) is left out unless
 * the row is selected (its highlight spans the pane). The pane's box keeps the width, and Ink
 * works per character it is given, so blank cells cost nothing.
 */
function drawn(l: Line): Line['segments'] {
  if (l.selected) return l.segments;
  const last = l.segments.at(-1);
  if (!last || last.style !== undefined || last.text.trim() !== '') return l.segments;
  // A blank row keeps one space: an empty text has no height, and the rows below would move up.
  return l.segments.length > 1 ? l.segments.slice(0, -1) : [{ text: ' ' }];
}

/** Draws pre-formatted lines: one `<Text>` per row, the cursor row as the theme draws it. */
export function PaneLines({ lines, theme }: PaneLinesProps) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate" {...(l.selected ? theme.selection(l.selected) : {})}>
          {drawn(l).map((s, j) => (
            <Text key={j} {...theme.style(s.style)}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
