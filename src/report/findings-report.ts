import type { Finding, FindingKind } from '../core/index.js';
import { formatBytes } from '../format/index.js';
import { reportCommand, reportPath, reportText } from './limits.js';

/** How a finding is named in reports. */
export const FINDING_TITLE: Readonly<Record<FindingKind, string>> = {
  'deleted-later': 'deleted in a later layer',
  overwritten: 'overwritten by a later layer',
  'metadata-only': 'rewritten to change mode or owner (or unchanged)',
  'duplicate-content': 'identical content at several paths',
  'package-cache': 'package manager cache kept',
  'build-leftovers': 'build leftovers kept',
  'base-image': 'waste inside the base image',
};

/**
 * A finding's title: its kind's, with the package manager whose own files or cache it is, and
 * whether the base image wrote the bytes (`apt's own files deleted in a later layer`). Built only
 * from the tool's own words (a manager's name is one of the core's).
 */
export function findingTitle(f: Finding): string {
  const notes = [...(f.manager !== undefined && f.survives ? [f.manager] : []), ...(f.fromBase && f.kind !== 'base-image' ? ['from the base image'] : [])];
  const title = f.manager !== undefined && !f.survives ? `${f.manager}'s own files ${FINDING_TITLE[f.kind]}` : FINDING_TITLE[f.kind];
  return notes.length > 0 ? `${title} (${notes.join(', ')})` : title;
}

/** `dpkg libssl-dev, dpkg gcc-12`: a finding's owners, cut and escaped for a report; '' when none. */
export function ownersText(f: Finding): string {
  return f.owners.map((o) => reportText(`${o.manager} ${o.name}`)).join(', ');
}

/** The reclaimable findings' bytes and the surviving ones' (caches and leftovers kept). */
export function findingTotals(findings: readonly Finding[]): { reclaimable: number; kept: number } {
  let reclaimable = 0;
  let kept = 0;
  for (const f of findings) {
    if (f.survives) kept += f.bytes;
    else reclaimable += f.bytes;
  }
  return { reclaimable, kept };
}

/** The layers in order: `L1 → L3` for a writer and the step after it, `L7, L8, L9` for more. */
const where = (f: Finding) => f.layers.map((l) => `L${l.index}`).join(f.layers.length > 2 ? ', ' : ' → ');

/**
 * The "Findings" section of the CI text report: the `top` largest findings with their bytes,
 * layers, commands, largest paths and advice. Commands and paths are cut to their limits and
 * escaped.
 */
export function formatFindingsSection(findings: readonly Finding[], top = 5): string[] {
  const lines = ['Findings:'];
  if (findings.length === 0) return [...lines, '  None'];
  const { reclaimable, kept } = findingTotals(findings);
  lines.push(`  ${formatBytes(reclaimable)} reclaimable, ${formatBytes(kept)} of caches and leftovers kept in the final image`);
  for (const f of findings.slice(0, top)) {
    lines.push(`  ${formatBytes(f.bytes).padStart(9)}  ${findingTitle(f)}  ${where(f)}`);
    for (const l of f.layers) lines.push(`             L${l.index}: ${reportCommand(l.command)}`);
    const shown = f.paths.slice(0, 3).map((p) => reportPath(p.path)).join(', ');
    lines.push(`             ${shown}${f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : ''}`);
    if (f.owners.length > 0) lines.push(`             owned by ${ownersText(f)}`);
    lines.push(`             fix: ${f.advice}`);
  }
  if (findings.length > top) lines.push(`  … and ${findings.length - top} more (see --json)`);
  return lines;
}

/** Findings as the JSON export carries them: every field of the core's `Finding` (`manager` null when none). */
export type FindingJson = {
  kind: FindingKind;
  bytes: number;
  survives: boolean;
  layers: { index: number; command: string }[];
  paths: { path: string; bytes: number }[];
  pathCount: number;
  advice: string;
  manager: string | null;
  owners: { manager: string; name: string }[];
  fromBase: boolean;
};

export function findingsToJson(findings: readonly Finding[]): FindingJson[] {
  return findings.map((f) => ({
    kind: f.kind,
    bytes: f.bytes,
    survives: f.survives,
    layers: f.layers.map((l) => ({ index: l.index, command: l.command })),
    paths: f.paths.map((p) => ({ path: p.path, bytes: p.bytes })),
    pathCount: f.pathCount,
    advice: f.advice,
    manager: f.manager ?? null,
    owners: f.owners.map((o) => ({ manager: o.manager, name: o.name })),
    fromBase: f.fromBase,
  }));
}

/**
 * The Markdown table of the findings, for the Markdown report. Commands and paths are cut to
 * their limits and escaped; `cell` then makes a string safe in a table cell. `lineOf` gives a
 * layer's Dockerfile line (`Dockerfile:12-14`, unescaped) when it is known.
 */
export function findingsMarkdown(findings: readonly Finding[], cell: (s: string) => string, top = 10, lineOf: (layer: number) => string = () => ''): string[] {
  if (findings.length === 0) return ['No findings: no waste, package caches or build leftovers.'];
  const out = ['| bytes | finding | layers | largest paths | owners | fix |', '|---:|---|---|---|---|---|'];
  for (const f of findings.slice(0, top)) {
    const at = (i: number) => (lineOf(i) ? ` at ${cell(lineOf(i))}` : '');
    const layers = f.layers.map((l) => `L${l.index}${at(l.index)} \`${cell(reportCommand(l.command))}\``).join(' → ');
    const paths = f.paths.slice(0, 3).map((p) => `\`${cell(reportPath(p.path))}\``).join(', ') + (f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : '');
    out.push(`| ${formatBytes(f.bytes)} | ${findingTitle(f)} | ${layers} | ${paths} | ${cell(ownersText(f))} | ${cell(f.advice)} |`);
  }
  if (findings.length > top) out.push('', `… and ${findings.length - top} more findings in the JSON export.`);
  return out;
}
