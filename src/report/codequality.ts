import { createHash } from 'node:crypto';
import { formatBytes } from '../format/bytes.js';
import { escapeControl, stringifyJson } from '../format/escape.js';
import { formatFigure, imageLocation, layerCommand, referenceOf, type CiOutcome } from './ci-result.js';
import { OFFENDERS_SHOWN, reportPath, reportText } from './limits.js';

/**
 * GitLab Code Quality JSON (`--report codequality=FILE`, for `artifacts:reports:codequality`):
 * an array of issues with `description`, `check_name`, `fingerprint`, `severity` and
 * `location.path`/`location.lines.begin`. One issue per failing rule and per offending path
 * (the first `OFFENDERS_SHOWN` of each rule). The location is the image: the archive's path
 * for file transports, else the reference. Paths and commands from the image are cut to their
 * limits (`src/report/limits.ts`); fingerprints hash the whole path.
 */
export type CodeQualityIssue = {
  readonly type: 'issue';
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  readonly categories: readonly string[];
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
};

const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

export function formatCodeQuality(outcomes: readonly CiOutcome[]): string {
  const issues: CodeQualityIssue[] = [];
  for (const o of outcomes) {
    const ref = referenceOf(o);
    const location = { path: imageLocation(ref), lines: { begin: 1 } };
    if (o.kind === 'unreadable') {
      issues.push({ type: 'issue', description: `${ref}: could not be read: ${reportText(o.message)}`, check_name: 'inspect-tui/unreadable', fingerprint: fingerprint(ref, 'unreadable'), severity: 'blocker', categories: ['Bug Risk'], location });
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
        location,
      });
      for (const x of (r.offenders ?? []).slice(0, OFFENDERS_SHOWN)) {
        issues.push({
          type: 'issue',
          description: `${ref}: ${reportPath(x.path)} (${formatBytes(x.sizeBytes)}) breaks ${r.name}, from layer ${x.layer}: ${layerCommand(o.summary, x.layer)}`,
          check_name: check,
          fingerprint: fingerprint(ref, r.name, x.path),
          severity: r.name === 'paths.block' ? 'critical' : 'minor',
          categories: [r.name === 'paths.block' ? 'Security' : 'Performance'],
          location,
        });
      }
    }
  }
  return `${stringifyJson(issues)}\n`;
}
