import { plural, formatBytes, escapeControl as esc } from '../format/index.js';
import { formatPlatform } from '../reference/index.js';
import type { AnalysisSummary as Analysis, IgnoredFigures, RuleResult } from '../core/index.js';
import { layerCommand, offenderLines } from './ci-result.js';
import { formatFindingsSection } from './findings-report.js';
import { FILES_SHOWN, listed, PROBLEMS_SHOWN, reportPath, reportText } from './limits.js';
import type { PackageSummary } from '../packages/index.js';
import { packageReportLines } from './packages-report.js';

const pct = (x: number | null) => (x === null ? 'n/a (no user layers)' : `${(x * 100).toFixed(4)} %`);

/**
 * dive's CI report, as plain deterministic text: the analysis figures, the inefficient
 * files (largest first), the rule evaluation, and one summary line:
 * `PASS [pass:N fail:N skip:N]` or `FAIL [pass:N fail:N skip:N]`.
 *
 * Every string the image provides (paths, commands, platform) is cut to its limit
 * (`src/report/limits.ts`) and escaped (`escapeControl`): a file name cannot move the cursor,
 * print a line of its own, or make the report longer than the limits allow.
 *
 * @param maxFiles cap on the inefficient-files rows (default `FILES_SHOWN`; the rest are counted in one line).
 * @param ignored what the ignore list took out of the figures, when one was configured.
 * @param packages what the package databases say: their count, and a line per database not read.
 */
export function formatCiReport(a: Analysis, results: readonly RuleResult[], opts: { maxFiles?: number; ignored?: IgnoredFigures; packages?: PackageSummary } = {}): string {
  const lines: string[] = [];
  const id = a.identity;
  lines.push(`Image: ${esc(id.reference)}`);
  // the platform and digest come from the image's own JSON: escaped like names
  lines.push(esc(`  source: ${id.source}`) + (id.platform ? `  platform: ${reportText(formatPlatform(id.platform))}` : '') + (id.digest ? `  digest: ${reportText(id.digest)}` : ''));
  lines.push(`  layers: ${a.layers.length}  files: ${a.fileCount}  size: ${a.sizeBytes} bytes (${formatBytes(a.sizeBytes)})`);
  lines.push('Analysis:');
  lines.push(`  efficiency: ${(a.efficiency * 100).toFixed(4)} %`);
  lines.push(`  wastedBytes: ${a.wastedBytes} bytes (${formatBytes(a.wastedBytes)})`);
  lines.push(`  userWastedPercent: ${pct(a.userWastedPercent)}`);
  if (opts.ignored) lines.push(`  ignored: ${plural(opts.ignored.paths, 'path')}, ${opts.ignored.bytes} bytes (${formatBytes(opts.ignored.bytes)}), left out of every figure (paths.ignore)`);
  const r = a.reclaimable;
  lines.push(
    `  reclaimable: ${formatBytes(r.totalBytes)} (overwritten ${formatBytes(r.overwrittenBytes)}, deleted later ${formatBytes(r.deletedLaterBytes)}, ` +
      `metadata-only rewrites ${formatBytes(r.metadataOnlyBytes)}, identical content at other paths ${formatBytes(r.duplicateContentBytes)})`,
  );
  lines.push(...formatFindingsSection(a.findings));
  lines.push('Inefficient Files:');
  const row = (c: string, w: string, p: string) => `${c.padStart(5)}  ${w.padStart(12)}  ${p}`;
  lines.push(row('Count', 'Wasted Space', 'File Path'));
  if (a.inefficientFiles.length === 0) lines.push('None');
  for (const l of listed(a.inefficientFiles, opts.maxFiles ?? FILES_SHOWN, (f) => row(String(f.count), formatBytes(f.wastedBytes), reportPath(f.path)))) lines.push(l.startsWith('… and') ? `  ${l}` : l);
  if (a.problems.length > 0) {
    lines.push('Notes:');
    for (const l of listed(a.problems, PROBLEMS_SHOWN, (p) => `layer ${p.layer}: /${reportPath(p.path)}: ${p.problem.replace(/-/g, ' ')}`)) lines.push(`  ${l}`);
  }
  if (opts.packages) lines.push(...packageReportLines(opts.packages));
  lines.push('Evaluation:');
  const tally = { pass: 0, fail: 0, skip: 0 };
  for (const res of results) {
    tally[res.status]++;
    const label = res.status.toUpperCase();
    lines.push(res.message ? `  ${label}: ${res.name}: ${res.message}` : `  ${label}: ${res.name}`);
    if (res.status === 'fail') {
      for (const l of offenderLines(res, (o) => `${reportPath(o.path)} (${formatBytes(o.sizeBytes)}, layer ${o.layer}: ${layerCommand(a, o.layer)})`)) lines.push(`    ${l}`);
    }
  }
  lines.push(`${tally.fail > 0 ? 'FAIL' : 'PASS'} [pass:${tally.pass} fail:${tally.fail} skip:${tally.skip}]`);
  return `${lines.join('\n')}\n`;
}
