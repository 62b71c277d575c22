import type { Analysis } from '../core/index.js';
import { findFindings, type Finding, type FindingKind } from '../core/index.js';
import { formatBytes, fit, sanitize } from '../format/index.js';
import { fitLine, seg, type Line, type Style } from './segments.js';
import type { AppState } from './state.js';
import type { ImageView } from './view-data.js';

/**
 * The findings panel (`e`): every finding of the image, largest first; Enter on one selects the
 * layer it blames and puts the tree cursor on its largest path.
 */

/** The findings of the image, with their owners when the package databases were read (computed once, on first use). */
export function selectFindings(d: ImageView): readonly Finding[] {
  const { analysis, packages } = d;
  return packages ? analysis.tree.memo('findings.owned', () => findFindings(analysis, { owners: packages })) : analysis.findings;
}

const LABEL: Record<FindingKind, string> = {
  'deleted-later': 'deleted later',
  overwritten: 'overwritten',
  'metadata-only': 'rewritten',
  'duplicate-content': 'duplicated',
  'package-cache': 'package cache',
  'build-leftovers': 'leftovers',
  'base-image': 'in the base',
};

/** The kind's label, with the manager whose files they are and whether the base image wrote them. */
function labelOf(f: Finding): string {
  const label = f.manager ? `${LABEL[f.kind]} (${f.manager})` : LABEL[f.kind];
  return f.fromBase && f.kind !== 'base-image' ? `${label}, base` : label;
}

/** Lines of the panel: a header, then two lines per finding (what and where, then the advice). */
export function selectFindingsLines(d: ImageView, state: AppState, width: number): Line[] {
  const findings = selectFindings(d);
  const lines: Line[] = [];
  // "Reclaimable": what the findings add up to; "wasted" is dive's figure (image details).
  const reclaimable = findings.filter((f) => !f.survives).reduce((s, f) => s + f.bytes, 0);
  const kept = findings.filter((f) => f.survives).reduce((s, f) => s + f.bytes, 0);
  lines.push(fitLine([seg('Findings', 'title-focused'), seg(`  ${formatBytes(reclaimable)} reclaimable, ${formatBytes(kept)} of caches and leftovers kept · Enter: go to the layer and path · Esc: close`, 'dim')], width));
  if (findings.length === 0) lines.push(fitLine([seg('  nothing to report: no waste, caches or leftovers found', 'dim')], width));
  findings.forEach((f, i) => {
    const sel = i === state.findingsCursor ? 'focused' : undefined;
    const style: Style = f.survives ? 'modified' : 'removed';
    const where = f.layers.map((l) => `L${l.index}`).join('→');
    const first = f.paths[0];
    const more = f.pathCount > 1 ? ` and ${f.pathCount - 1} more` : '';
    lines.push(
      fitLine(
        [
          seg(` ${fit(formatBytes(f.bytes), 9, 'right')} `, style),
          seg(`${fit(labelOf(f), 22)} `, 'header'),
          seg(`${fit(where, 8)} `, 'marker'),
          seg(first ? `${sanitize(first.path)}${more}` : ''),
          seg(`  ${sanitize(f.layers.at(-1)?.command ?? '')}`, 'dim'),
        ],
        width,
        sel,
      ),
    );
    const owners = f.owners.map((o) => `${o.manager} ${o.name}`).join(', ');
    lines.push(fitLine([seg('            '), ...(owners ? [seg(`owned by ${sanitize(owners)}: `, 'marker')] : []), seg(sanitize(f.advice), 'dim')], width));
  });
  return lines;
}

/** The layer and path a finding points at: the layer it blames last, and its largest path. */
export function findingTarget(a: Analysis, f: Finding): { layer: number; pathId: number } {
  const layer = f.layers.at(-1)?.index ?? 0;
  const rel = f.paths[0]?.path.slice(1) ?? '';
  return { layer, pathId: a.tree.find(rel) ?? -1 };
}
