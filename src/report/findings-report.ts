import type { Finding, FindingKind } from '../core/index.js';
import { formatBytes } from '../format/index.js';
import { reportCommand, reportPath } from './limits.js';

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

const where = (f: Finding) => f.layers.map((l) => `L${l.index}`).join(' → ');

/**
 * The "Findings" section of the CI text report: the `top` largest findings with their bytes,
 * layers, commands, largest paths and advice. Commands and paths are cut to their limits and
 * escaped.
 */
export function formatFindingsSection(findings: readonly Finding[], top = 5): string[] {
  const lines = ['Findings:'];
  if (findings.length === 0) return [...lines, '  None'];
  const wasted = findings.filter((f) => !f.survives).reduce((s, f) => s + f.bytes, 0);
  const kept = findings.filter((f) => f.survives).reduce((s, f) => s + f.bytes, 0);
  lines.push(`  ${formatBytes(wasted)} wasted, ${formatBytes(kept)} of caches and leftovers kept in the final image`);
  for (const f of findings.slice(0, top)) {
    lines.push(`  ${formatBytes(f.bytes).padStart(9)}  ${FINDING_TITLE[f.kind]}${f.manager ? ` (${f.manager})` : ''}  ${where(f)}`);
    for (const l of f.layers) lines.push(`             L${l.index}: ${reportCommand(l.command)}`);
    const shown = f.paths.slice(0, 3).map((p) => reportPath(p.path)).join(', ');
    lines.push(`             ${shown}${f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : ''}`);
    lines.push(`             fix: ${f.advice}`);
  }
  if (findings.length > top) lines.push(`  … and ${findings.length - top} more (see --json)`);
  return lines;
}

/** Findings as the JSON export carries them. */
export type FindingJson = {
  kind: FindingKind;
  bytes: number;
  survives: boolean;
  layers: { index: number; command: string }[];
  paths: { path: string; bytes: number }[];
  pathCount: number;
  advice: string;
  manager: string | null;
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
  }));
}

/**
 * The Markdown table of the findings, for the Markdown report. Commands and paths are cut to
 * their limits and escaped; `cell` then makes a string safe in a table cell. `lineOf` gives a
 * layer's Dockerfile line (`Dockerfile:12-14`, unescaped) when it is known.
 */
export function findingsMarkdown(findings: readonly Finding[], cell: (s: string) => string, top = 10, lineOf: (layer: number) => string = () => ''): string[] {
  if (findings.length === 0) return ['No findings: no waste, package caches or build leftovers.'];
  const out = ['| bytes | finding | layers | largest paths | fix |', '|---:|---|---|---|---|'];
  for (const f of findings.slice(0, top)) {
    const at = (i: number) => (lineOf(i) ? ` at ${cell(lineOf(i))}` : '');
    const layers = f.layers.map((l) => `L${l.index}${at(l.index)} \`${cell(reportCommand(l.command))}\``).join(' → ');
    const paths = f.paths.slice(0, 3).map((p) => `\`${cell(reportPath(p.path))}\``).join(', ') + (f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : '');
    out.push(`| ${formatBytes(f.bytes)} | ${FINDING_TITLE[f.kind]}${f.manager ? ` (${f.manager})` : ''} | ${layers} | ${paths} | ${cell(f.advice)} |`);
  }
  if (findings.length > top) out.push('', `… and ${findings.length - top} more findings in the JSON export.`);
  return out;
}
