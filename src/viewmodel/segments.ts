import { cellWidth, truncate } from '../format/index.js';

/** Semantic styles; `theme.ts` maps them to colours (or to nothing under NO_COLOR). */
export type Style =
  | 'normal'
  | 'added'
  | 'removed'
  | 'modified'
  | 'unmodified'
  | 'hidden'
  | 'title'
  | 'title-focused'
  | 'dim'
  | 'key'
  | 'label'
  | 'label-off'
  | 'error'
  | 'marker'
  | 'header'
  // syntax highlighting in the file viewer
  | 'code-keyword'
  | 'code-string'
  | 'code-comment'
  | 'code-number'
  | 'code-name'
  | 'code-meta'
  /** Line numbers and hex offsets beside a file's contents. */
  | 'gutter'
  /** The search match the cursor is on, in the viewer and the file diff. */
  | 'match';

export type Segment = { readonly text: string; readonly style?: Style };

/** One row of a pane, already cut to the pane's width. */
export type Line = {
  readonly segments: readonly Segment[];
  /** The cursor row: `focused` in the focused pane. */
  readonly selected?: 'focused' | 'unfocused';
};

export function seg(text: string, style?: Style): Segment {
  return style ? { text, style } : { text };
}

/** Cuts segments to `width` cells and pads the last with spaces to exactly `width`. */
export function fitLine(segments: readonly Segment[], width: number, selected?: Line['selected']): Line {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    if (left <= 0) break;
    const w = cellWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: truncate(s.text, left) });
      left = 0;
    }
  }
  if (left > 0) out.push({ text: ' '.repeat(left) });
  return selected ? { segments: out, selected } : { segments: out };
}

/** Plain text of a line (for tests and goldens). */
export function lineText(l: Line): string {
  return l.segments.map((s) => s.text).join('');
}

/** A pane title: `▌Name ─── right`, across the width. */
export function titleLine(name: string, right: string, width: number, focused: boolean): Line {
  const head = `${focused ? '▌' : ' '}${name} `;
  const tail = right ? ` ${right} ` : '';
  const fill = Math.max(0, width - cellWidth(head) - cellWidth(tail));
  return fitLine([seg(head, focused ? 'title-focused' : 'title'), seg('─'.repeat(fill), 'dim'), seg(tail, 'dim')], width);
}
