import { plural } from '../format/text.js';
import { findingsMarkdown } from './findings-report.js';
import { formatBytes } from '../format/bytes.js';
import { escapeControl } from '../format/escape.js';
import { largestPackagesMarkdown } from './packages-report.js';
import { failed, formatFigure, layerCommand, offenderLines, referenceOf, tally, type CiOutcome } from './ci-result.js';

/**
 * The Markdown summary (`--report markdown=FILE`, and GitHub's job summary): per image the
 * verdict, the figures, a rule table, what the path rules found, the largest inefficient files
 * and the size of every layer. All images in one document.
 */

/**
 * Text from the image, safe inside Markdown (and the HTML GitHub renders it to): control
 * characters escaped, `&`, `<` and `>` as entities, and the characters that start emphasis,
 * code, links or table cells backslash-escaped.
 */
export function mdText(s: string): string {
  return escapeControl(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`);
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);
const MAX_FILES = 10;
const MAX_COMMAND = 80;

export function formatMarkdown(outcomes: readonly CiOutcome[]): string {
  const out: string[] = [];
  const analysed = outcomes.filter((o) => o.kind === 'analysed');
  const failing = analysed.filter(failed).length;
  const unreadable = outcomes.length - analysed.length;
  const verdict = failing > 0 || unreadable > 0 ? 'FAIL' : 'PASS';
  out.push(`# inspect-tui: ${verdict}`, '');
  out.push(`${outcomes.length} image${outcomes.length === 1 ? '' : 's'}: ${analysed.length - failing} passed, ${failing} failed${unreadable ? `, ${unreadable} could not be read` : ''}.`, '');
  for (const o of outcomes) {
    if (o.kind === 'unreadable') {
      out.push(`## ❌ ${mdText(o.reference)}`, '', `Could not be read: ${mdText(o.message)}`, '');
      continue;
    }
    const s = o.summary;
    const bad = failed(o);
    out.push(`## ${bad ? '❌' : '✅'} ${mdText(referenceOf(o))}`, '');
    const t = tally(o);
    if (o.rules) out.push(`**${bad ? 'FAIL' : 'PASS'}** (pass: ${t.pass}, fail: ${t.fail}, skip: ${t.skip})`, '');
    out.push('| figure | value |', '|---|---|');
    out.push(`| efficiency | ${pct(s.efficiency)} |`);
    out.push(`| wasted bytes | ${formatBytes(s.wastedBytes)} (${s.wastedBytes}) |`);
    out.push(`| user wasted percent | ${pct(s.userWastedPercent)} |`);
    out.push(`| image size | ${formatBytes(s.sizeBytes)} (${plural(s.layers.length, 'layer')}, ${plural(s.fileCount, 'file')}) |`);
    out.push(`| reclaimable by squashing | ${formatBytes(s.reclaimable.totalBytes)} |`);
    if (o.ignored) out.push(`| ignored (paths.ignore) | ${plural(o.ignored.paths, 'path')}, ${formatBytes(o.ignored.bytes)} |`);
    out.push('');
    if (o.rules) {
      out.push('| rule | status | threshold | actual | details |', '|---|---|---|---|---|');
      for (const r of o.rules) {
        const status = r.status === 'fail' ? '❌ fail' : r.status === 'pass' ? '✅ pass' : '➖ skip';
        out.push(`| ${r.name} | ${status} | ${formatFigure(r.threshold)} | ${formatFigure(r.actual)} | ${mdText(r.message)} |`);
      }
      out.push('');
      for (const r of o.rules) {
        if (r.status !== 'fail' || !r.offenders?.length) continue;
        out.push(`**${r.name}** offending paths:`, '');
        for (const l of offenderLines(r, (x) => `${mdText(x.path)} (${formatBytes(x.sizeBytes)}, layer ${x.layer}: ${mdText(shorten(layerCommand(s, x.layer)))})`)) out.push(`- ${l}`);
        out.push('');
      }
    }
    out.push('### Findings', '', ...findingsMarkdown(s.findings, (x) => mdText(shorten(escapeControl(x)))), '');
    if (s.inefficientFiles.length > 0) {
      out.push('<details><summary>Largest inefficient files</summary>', '', '| count | wasted | path |', '|---|---|---|');
      for (const f of s.inefficientFiles.slice(0, MAX_FILES)) out.push(`| ${f.count} | ${formatBytes(f.wastedBytes)} | ${mdText(f.path)} |`);
      if (s.inefficientFiles.length > MAX_FILES) out.push(`| | | … and ${s.inefficientFiles.length - MAX_FILES} more |`);
      out.push('', '</details>', '');
    }
    if (o.packages) out.push(...largestPackagesMarkdown(o.packages, (x) => mdText(shorten(x))));
    out.push('<details><summary>Layers</summary>', '', '| # | size | command |', '|---|---|---|');
    for (const l of s.layers) out.push(`| ${l.index} | ${formatBytes(l.sizeBytes)} | ${mdText(shorten(escapeControl(l.command)))} |`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n')}\n`;
}

function shorten(s: string): string {
  return s.length > MAX_COMMAND ? `${s.slice(0, MAX_COMMAND - 1)}…` : s;
}
