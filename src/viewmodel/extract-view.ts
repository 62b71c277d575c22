import { formatBytes, sanitize } from '../format/index.js';
import { fitLine, seg, type Line } from './segments.js';
import { selectRange, type AppState, type ExtractProgress, type ExtractTarget } from './state.js';
import { selectTreeView } from './tree-view.js';
import type { ImageView } from './view-data.js';

/**
 * What Ctrl+E extracts, and how the inspector talks about it: the target under the cursor
 * (from the layer that still has a path a whiteout or a removal hid), the whole filesystem of
 * a layer, the progress line, the prompts, and the summary of what was skipped.
 */

/**
 * The target of Ctrl+E in the tree: the path under the cursor as the selected layer has it;
 * a path the range removed (shown as removed) comes from the base of the range, and a path a
 * whiteout hid (shown with `w`) from the layer just below that whiteout. An empty tree means
 * the whole filesystem (`extractAll`).
 */
export function selectExtractTarget(d: ImageView, state: AppState): ExtractTarget | { readonly error: string } | { readonly all: true } {
  const a = d.analysis;
  const v = selectTreeView(d, state);
  if (v.cursorRow < 0) return state.filter.text !== '' ? { error: 'nothing selected to extract (the filter hides every path)' } : { all: true };
  const pathId = v.ti.order[v.rows.posAt(v.cursorRow)]!;
  const { base, top } = selectRange(state);
  if (a.tree.entryIdAt(top, pathId) >= 0) return { pathId, layer: top };
  const h = v.ti.hiddenBy?.get(pathId);
  if (h && h.layer > 0 && a.tree.entryIdAt(h.layer - 1, pathId) >= 0) {
    const how = h.via === 'opaque' ? 'an opaque directory' : 'a whiteout';
    return { pathId, layer: h.layer - 1, note: `${how} in L${h.layer} hides it at L${top}` };
  }
  if (base >= 0 && a.tree.entryIdAt(base, pathId) >= 0) return { pathId, layer: base, note: `L${top} no longer has it` };
  return { error: `/${a.tree.pathOf(pathId)} is in no layer's filesystem here` };
}

/** File extensions of image archives, left out of a directory named after one (`example-image.tar` → `example-image`). */
const ARCHIVE_EXTENSION = /(?:\.(?:tar|tgz|gz|zst|xz|bz2|oci))+(?=$|:)/i;

/** A directory name for a whole filesystem: the image's last name component (an archive's without its extension) and the layer, `alpine_3.19-L2`. */
export function imageDirName(reference: string, layer: number): string {
  let r = reference.replace(/^[a-z-]+:(?!\d)/, ''); // transport (docker-archive:, oci:…), not a registry port
  r = r.replace(/@sha256:[0-9a-f]+$/, '');
  const last = (r.split('/').filter(Boolean).at(-1) ?? 'image').replace(ARCHIVE_EXTENSION, '');
  const safe = last.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '').slice(0, 80) || 'image';
  return `${safe}-L${layer}`;
}

/** The prompt before extracting the whole filesystem of the selected layer. */
export function extractAllPrompt(d: ImageView, state: AppState): AppState {
  const a = d.analysis;
  const layer = selectRange(state).top;
  if (layer < 0) return { ...state, message: { text: 'nothing to extract', tone: 'error' } };
  const into = imageDirName(a.identity.reference, layer);
  return {
    ...state,
    prompt: { kind: 'extractAll', path: '/', target: { pathId: 0, layer, into }, bytes: a.tree.treeSizes(layer)[0] ?? 0 },
    message: undefined,
  };
}

const SKIP_WORDS: Record<string, readonly [string, string]> = {
  'unsafe name': ['unsafe name', 'unsafe names'],
  device: ['device file', 'device files'],
  fifo: ['FIFO', 'FIFOs'],
  'escaping symlink': ['escaping symlink', 'escaping symlinks'],
  'missing link target': ['hard link without its target', 'hard links without their target'],
  'in the way': ['path in the way', 'paths in the way'],
  'symlinked parent': ['path under a symlink', 'paths under a symlink'],
  error: ['write error', 'write errors'],
};

/** `skipped 3: 2 device files, 1 unsafe name` (largest group first). */
export function summariseSkipped(skipped: readonly { readonly kind: string }[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const parts = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([k, n]) => {
    const w = SKIP_WORDS[k] ?? [k, k];
    return `${n} ${n === 1 ? w[0] : w[1]}`;
  });
  return `skipped ${skipped.length}: ${parts.join(', ')}`;
}

/** The report after an extraction: where from, how much, what was skipped (and how to list it). */
export function extractDoneMessage(path: string, target: ExtractTarget, written: readonly string[], bytes: number, skipped: readonly { readonly kind: string }[]): string {
  const where = target.into ? ` into ./${target.into}/` : written[0] ? ` to ./${written[0]}` : '';
  const note = target.note ? ` (${target.note})` : '';
  const what = `${written.length} ${written.length === 1 ? 'entry' : 'entries'}, ${formatBytes(bytes)}`;
  const skip = skipped.length ? `; ${summariseSkipped(skipped)} (X: list)` : '';
  return `extracted ${sanitize(path)} from L${target.layer}${note}${sanitize(where)}: ${what}${skip}`;
}

/** The message when an extraction was cancelled. */
export function extractCancelledMessage(p: ExtractProgress | undefined): string {
  const done = p ? `${p.entries} of ${p.totalEntries} entries (${formatBytes(p.bytes)}) were written whole` : 'nothing was written';
  return `extraction cancelled: ${done}; no partly written file was left`;
}

function progressSegments(p: ExtractProgress) {
  if (p.totalEntries === 0) return [seg(` extracting ${sanitize(p.path)}… `, 'label'), seg(' Esc', 'key'), seg(' Cancel')];
  const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.bytes) / p.totalBytes)} %)` : '';
  return [
    seg(` extracting ${sanitize(p.path)}: ${p.entries}/${p.totalEntries} entries, ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}${pct} `, 'label'),
    seg(' Esc', 'key'),
    seg(' Cancel'),
  ];
}

/** The status line of extraction: a prompt, or the progress of the running one (after a message, if any). */
export function selectExtractStatus(state: AppState, width: number): Line | undefined {
  const p = state.prompt;
  if (p?.kind === 'overwrite') {
    const n = p.existing.length;
    const names = p.existing.slice(0, 2).map((x) => sanitize(x)).join(', ');
    return fitLine([seg(` Overwrite ${n} existing ${n === 1 ? 'file' : 'files'} (${names}${n > 2 ? ', …' : ''})? `, 'error'), seg('y', 'key'), seg('/'), seg('n', 'key')], width);
  }
  if (p?.kind === 'extractAll') {
    return fitLine(
      [seg(` Extract the whole filesystem of L${p.target.layer} (${formatBytes(p.bytes)}) into ./${sanitize(p.target.into ?? '')}/? `, 'error'), seg('y', 'key'), seg('/'), seg('n', 'key')],
      width,
    );
  }
  if (state.extraction) {
    const msg = state.message ? [seg(` ${state.message.text} ·`, state.message.tone === 'error' ? 'error' : 'label')] : [];
    return fitLine([...msg, ...progressSegments(state.extraction.progress)], width);
  }
  return undefined;
}

/** The `skipped` overlay: every path the last extraction left out, with why. */
export function selectSkippedLines(state: AppState, width: number): Line[] {
  const list = state.lastSkipped ?? [];
  const lines: Line[] = [fitLine([seg('Skipped by the last extraction', 'title-focused'), seg(`  ${summariseSkipped(list) || 'nothing'} · Esc: close`, 'dim')], width)];
  for (const s of list) lines.push(fitLine([seg(`  ${sanitize(s.path)}`), seg(`  ${sanitize(s.reason)}`, 'dim')], width));
  return lines;
}
