import { createHash } from 'node:crypto';
import { formatBytes, escapeControl, stringifyJson } from '../format/index.js';
import { formatFigure, layerCommand, referenceOf, type CiOutcome, type ImageResult } from './ci-result.js';
import { findingTitle, ownersText } from './findings-report.js';
import { FINDINGS_LOCATED, OFFENDERS_SHOWN, reportPath, reportText } from './limits.js';
import { findingLocation, imageLocation, layerLocation, locationText, wholeImageLocation, type ResultLocation } from './locations.js';

/**
 * GitLab Code Quality JSON (`--report codequality=FILE`, for `artifacts:reports:codequality`):
 * an array of issues with `description`, `check_name`, `fingerprint`, `severity` and
 * `location.path`/`location.lines`. One issue per failing rule (at the final stage's `FROM`
 * line), per offending path (the first `OFFENDERS_SHOWN` of each rule, at the line of the
 * instruction that wrote it) and per finding that has a Dockerfile line (the first
 * `FINDINGS_LOCATED`, severity info). Without a Dockerfile the location is the image argument
 * relative to the working directory (line 1), or for a registry or a daemon its reference:
 * never an absolute path, which GitLab refuses. Paths and commands from the image are cut to
 * their limits (`src/report/limits.ts`); fingerprints hash the whole path.
 */
export type CodeQualityIssue = {
  readonly type: 'issue';
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  readonly categories: readonly string[];
  readonly location: { readonly path: string; readonly lines: { readonly begin: number; readonly end?: number } };
};

const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** Code Quality's location: the file and its lines, the file at line 1, or the image's reference at line 1. */
function locationOf(where: ResultLocation, ref: string): CodeQualityIssue['location'] {
  switch (where.kind) {
    case 'line':
      return { path: escapeControl(where.file), lines: { begin: where.line, end: where.endLine } };
    case 'file':
      return { path: escapeControl(where.file), lines: { begin: 1 } };
    case 'none':
      return { path: ref, lines: { begin: 1 } };
  }
}

export function formatCodeQuality(outcomes: readonly CiOutcome[], cwd: string): string {
  const issues: CodeQualityIssue[] = [];
  for (const o of outcomes) {
    const ref = referenceOf(o);
    if (o.kind === 'unreadable') {
      issues.push({ type: 'issue', description: `${ref}: could not be read: ${reportText(o.message)}`, check_name: 'inspect-tui/unreadable', fingerprint: fingerprint(ref, 'unreadable'), severity: 'blocker', categories: ['Bug Risk'], location: locationOf(imageLocation(o.reference, cwd), ref) });
      continue;
    }
    for (const r of o.rules ?? []) {
      if (r.status !== 'fail') continue;
      const check = `inspect-tui/${r.name}`;
      issues.push({
        type: 'issue',
        description: `${ref}: ${r.name}: ${escapeControl(r.message)} (actual ${formatFigure(r.actual)}, threshold ${formatFigure(r.threshold)})`,
        check_name: check,
        fingerprint: fingerprint(ref, r.name),
        severity: 'major',
        categories: ['Performance'],
        location: locationOf(wholeImageLocation(o, cwd), ref),
      });
      for (const x of (r.offenders ?? []).slice(0, OFFENDERS_SHOWN)) {
        const where = layerLocation(o, x.layer, cwd);
        issues.push({
          type: 'issue',
          description: `${ref}: ${reportPath(x.path)} (${formatBytes(x.sizeBytes)}) breaks ${r.name}, from layer ${x.layer}: ${layerCommand(o.summary, x.layer)}`,
          check_name: check,
          fingerprint: fingerprint(ref, r.name, x.path),
          severity: r.name === 'paths.block' ? 'critical' : 'minor',
          categories: [r.name === 'paths.block' ? 'Security' : 'Performance'],
          location: locationOf(where, ref),
        });
      }
    }
    issues.push(...findingIssues(o, ref, cwd));
  }
  return `${stringifyJson(issues)}\n`;
}

/** The findings that have a Dockerfile line, largest first (the first `FINDINGS_LOCATED`), as issues on that line. */
function findingIssues(o: ImageResult, ref: string, cwd: string): CodeQualityIssue[] {
  const out: CodeQualityIssue[] = [];
  for (const f of o.summary.findings) {
    if (out.length >= FINDINGS_LOCATED) break;
    const where = findingLocation(o, f);
    if (!where) continue;
    const layers = f.layers.map((l) => {
      const at = layerLocation(o, l.index, cwd);
      return `layer ${l.index}${at.kind === 'line' ? ` (${escapeControl(locationText(at))})` : ''}`;
    });
    out.push({
      type: 'issue',
      description: `${ref}: ${formatBytes(f.bytes)} ${findingTitle(f)}: ${layers.join(' → ')}: ${f.paths.slice(0, 3).map((p) => reportPath(p.path)).join(', ')}${f.owners.length > 0 ? ` (owned by ${ownersText(f)})` : ''}. Fix: ${escapeControl(f.advice)}`,
      check_name: `inspect-tui/finding/${f.kind}`,
      fingerprint: fingerprint(ref, f.kind, ...f.layers.map((l) => String(l.index)), f.paths[0]?.path ?? ''),
      severity: 'info',
      categories: ['Performance'],
      location: locationOf(where, ref),
    });
  }
  return out;
}
