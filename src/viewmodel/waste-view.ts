import { formatBytes, fit, sanitize, truncateMiddle } from '../format/index.js';
import { clampScroll } from './cursor.js';
import { IMAGE_FIGURE_LINES, type Layout } from './layout.js';
import { fitLine, seg, type Line } from './segments.js';
import type { AppState } from './state.js';
import type { ImageView } from './view-data.js';

/**
 * The inefficient-files table ("Count / Total Space / Path") at the foot of the image details
 * pane, as a list the user can focus (Tab), move through and jump from (Enter) to the path in
 * the file tree, at the last layer that wrote it. Only an image has one.
 */

/** Rows of the table the pane has room for (0: the table is not shown). */
export function wasteRows(layout: Layout): number {
  const h = layout.imageDetailsHeight;
  // The image's figures come first (see selectImageDetails); the table gets what is left.
  const room = h - Math.min(IMAGE_FIGURE_LINES, h);
  return room >= 2 ? room - 1 : 0;
}

/** The table's header and the rows that fit, the cursor row marked when the list has the focus. */
export function selectWasteTable(d: ImageView, state: AppState, width: number, rows: number): Line[] {
  const lines: Line[] = [fitLine([seg(`${fit('Count', 5, 'right')}  ${fit('Total Space', 11, 'right')}  Path`, 'header')], width)];
  const w = state.waste ?? { cursor: 0, scroll: 0 };
  const files = d.analysis.inefficientFiles;
  const scroll = clampScroll(w.scroll, w.cursor, rows, files.length);
  for (let i = scroll; i < Math.min(files.length, scroll + rows); i++) {
    const f = files[i]!;
    const sel = state.focus === 'waste' && i === w.cursor ? 'focused' : undefined;
    lines.push(fitLine([seg(`${fit(String(f.count), 5, 'right')}  ${fit(formatBytes(f.wastedBytes), 11, 'right')}  ${truncateMiddle(sanitize(f.path), Math.max(1, width - 20))}`)], width, sel));
  }
  return lines;
}

/**
 * Where Enter on the selected wasted file goes: the path, and the last layer that wrote it
 * (where its latest copy was added; a path deleted later is still there in that layer).
 */
export function selectWasteTarget(d: ImageView, s: AppState): { readonly pathId: number; readonly layer: number; readonly path: string } | undefined {
  const a = d.analysis;
  const f = a.inefficientFiles[(s.waste ?? { cursor: 0 }).cursor];
  if (!f) return undefined;
  const pathId = a.tree.find(f.path.replace(/^\//, ''));
  if (pathId === undefined) return undefined;
  const wrote = a.tree.fileHistory(pathId).filter((ev) => ev.entry !== undefined);
  const layer = wrote.at(-1)?.layer ?? a.layers.length - 1;
  return { pathId, layer, path: f.path };
}
