import type { AlignedLayer, DiffRuleResult, ImageComparison, ImageIdentity, LayerSummary, PathDiff, Side } from '../core/index.js';
import { formatBytes, escapeControl, formatSignedBytes, TOTAL_ROWS } from '../format/index.js';
import type { PackageDiff } from '../packages/index.js';
import { formatPlatform } from '../reference/index.js';
import { reportCommand, reportPath, reportText } from './limits.js';
import { packageDiffLines, packageDiffToJson, type PackageDiffJson } from './packages-report.js';

/** The versioned JSON of a comparison (`inspect-tui diff --json`), schema `schema/diff-v1.schema.json`. */
export type DiffExportV1 = {
  schemaVersion: 1;
  kind: 'image-diff';
  identical: boolean;
  old: DiffImage;
  new: DiffImage;
  sharedLayers: number;
  layers: {
    kind: AlignedLayer['kind'];
    moved: boolean;
    old: DiffLayer | null;
    new: DiffLayer | null;
  }[];
  files: {
    path: string;
    change: PathDiff['change'];
    aspects: string[];
    oldSize: number | null;
    newSize: number | null;
    sizeDelta: number;
    oldMode: number | null;
    newMode: number | null;
    oldUid: number | null;
    newUid: number | null;
    oldGid: number | null;
    newGid: number | null;
    oldType: string | null;
    newType: string | null;
    oldLinkTarget: string | null;
    newLinkTarget: string | null;
    newLayer: number | null;
  }[];
  unchangedCount: number;
  totals: Record<keyof ImageComparison['totals'], Side>;
  /** The packages that differ (absent when the package databases were not read). */
  packages?: PackageDiffJson[];
  rules?: { name: string; status: 'pass' | 'fail' | 'skip'; threshold: number | null; actual: number }[];
};

type DiffImage = { reference: string; source: string; platform: string | null; digest: string | null; configDigest: string | null };
type DiffLayer = { index: number; digest: string | null; diffId: string | null; command: string; sizeBytes: number; compressedSizeBytes: number | null };

const image = (id: ImageIdentity): DiffImage => ({
  reference: id.reference,
  source: id.source,
  platform: id.platform ? formatPlatform(id.platform) : null,
  digest: id.digest ?? null,
  configDigest: id.configDigest ?? null,
});
const layer = (l: LayerSummary | undefined): DiffLayer | null =>
  l ? { index: l.index, digest: l.digest ?? null, diffId: l.diffId ?? null, command: l.command, sizeBytes: l.sizeBytes, compressedSizeBytes: l.compressedSizeBytes ?? null } : null;

/** The comparison as versioned JSON: both images' identity, the aligned layers, every changed path, the totals and (with a gate) the rules. */
export function toDiffExport(c: ImageComparison, rules?: readonly DiffRuleResult[], opts: { packages?: readonly PackageDiff[] } = {}): DiffExportV1 {
  return {
    schemaVersion: 1,
    kind: 'image-diff',
    identical: c.identical,
    old: image(c.old.identity),
    new: image(c.new.identity),
    sharedLayers: c.sharedLayers,
    layers: c.layers.map((l) => ({
      kind: l.kind,
      moved: l.kind === 'shared' ? false : l.moved,
      old: layer(l.kind === 'new-only' ? undefined : l.old),
      new: layer(l.kind === 'old-only' ? undefined : l.new),
    })),
    files: c.files.map((f) => ({
      path: f.path,
      change: f.change,
      aspects: [...f.aspects],
      oldSize: f.old?.size ?? null,
      newSize: f.new?.size ?? null,
      sizeDelta: f.sizeDelta,
      oldMode: f.old?.mode ?? null,
      newMode: f.new?.mode ?? null,
      oldUid: f.old?.uid ?? null,
      newUid: f.new?.uid ?? null,
      oldGid: f.old?.gid ?? null,
      newGid: f.new?.gid ?? null,
      oldType: f.old?.type ?? null,
      newType: f.new?.type ?? null,
      oldLinkTarget: f.old?.linkTarget ?? null,
      newLinkTarget: f.new?.linkTarget ?? null,
      newLayer: f.newLayer ?? null,
    })),
    unchangedCount: c.unchangedCount,
    totals: { ...c.totals },
    ...(opts.packages ? { packages: packageDiffToJson(opts.packages) } : {}),
    ...(rules ? { rules: rules.map((r) => ({ name: r.name, status: r.status, threshold: r.threshold, actual: r.actual })) } : {}),
  };
}

const signed = formatSignedBytes;

/**
 * The short text summary of a comparison (no terminal, or `--ci`): the two images, the totals
 * with deltas, the layers added and removed, the largest added or grown paths, and, with
 * rules, the evaluation and one summary line (`PASS …` / `FAIL …`). With `packages`, the
 * packages that differ (counts, then the largest changes). Strings from the images are cut to
 * their limits (`src/report/limits.ts`) and escaped; the JSON (`toDiffExport`) keeps them whole.
 *
 * @param top how many of the largest added or grown paths to list.
 */
export function formatDiffReport(c: ImageComparison, rules?: readonly DiffRuleResult[], opts: { top?: number; packages?: readonly PackageDiff[] } = {}): string {
  const e = escapeControl;
  const lines: string[] = [];
  const platform = (p: NonNullable<ImageIdentity['platform']>) => reportText(formatPlatform(p));
  const who = (id: ImageIdentity) => `${e(id.reference)}${id.platform ? ` (${platform(id.platform)})` : ''}`;
  lines.push(`OLD: ${who(c.old.identity)}`);
  lines.push(`NEW: ${who(c.new.identity)}`);
  const po = c.old.identity.platform;
  const pn = c.new.identity.platform;
  if (po && pn && formatPlatform(po) !== formatPlatform(pn)) lines.push(`note: the images are for different platforms (${platform(po)} → ${platform(pn)})`);
  if (c.identical) lines.push('The images are identical: same layers, same files.');
  const t = c.totals;
  lines.push('Totals:');
  for (const r of TOTAL_ROWS) {
    const s: Side = t[r.key];
    lines.push(`  ${r.label.padEnd(16)} ${r.value(s.old).padStart(12)} → ${r.value(s.new).padStart(12)}  (${r.delta(s.delta)})`);
  }
  lines.push(`Layers: ${c.sharedLayers} shared`);
  for (const l of c.layers) {
    if (l.kind === 'shared') continue;
    const s = l.kind === 'old-only' ? l.old : l.new;
    lines.push(`  ${l.kind === 'old-only' ? '-' : '+'} ${l.kind === 'old-only' ? 'OLD' : 'NEW'} L${s.index} ${formatBytes(s.sizeBytes).padStart(9)}  ${reportCommand(s.command)}${l.moved ? '  (moved)' : ''}`);
  }
  const counts = { added: 0, removed: 0, modified: 0 };
  for (const f of c.files) if (f.change !== 'unchanged' && !(f.new?.type === 'dir' && f.old?.type === 'dir')) counts[f.change]++;
  lines.push(`Files: ${counts.added} added, ${counts.removed} removed, ${counts.modified} modified, ${c.unchangedCount} unchanged`);
  const grown = c.files.filter((f) => f.sizeDelta > 0 && f.new?.type !== 'dir').sort((x, y) => y.sizeDelta - x.sizeDelta || (x.path < y.path ? -1 : 1));
  const top = opts.top ?? 10;
  if (grown.length > 0) {
    lines.push('Largest added or grown:');
    for (const f of grown.slice(0, top)) lines.push(`  ${signed(f.sizeDelta).padStart(10)}  ${f.change === 'added' ? 'added   ' : 'modified'}  ${reportPath(f.path)}${f.newLayer !== undefined ? `  (NEW L${f.newLayer})` : ''}`);
    if (grown.length > top) lines.push(`  … and ${grown.length - top} more`);
  }
  if (opts.packages) lines.push(...packageDiffLines(opts.packages, top));
  if (rules) {
    lines.push('Evaluation:');
    const tally = { pass: 0, fail: 0, skip: 0 };
    for (const r of rules) {
      tally[r.status]++;
      lines.push(r.message ? `  ${r.status.toUpperCase()}: ${r.name}: ${r.message}` : `  ${r.status.toUpperCase()}: ${r.name}`);
    }
    lines.push(`${tally.fail > 0 ? 'FAIL' : 'PASS'} [pass:${tally.pass} fail:${tally.fail} skip:${tally.skip}]`);
  }
  return `${lines.join('\n')}\n`;
}
