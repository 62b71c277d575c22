import { plural, formatBytes, escapeControl } from '../format/index.js';
import { findingsMarkdown } from './findings-report.js';
import { failed, layerCommand, offenderLines, referenceOf, tally, type CiOutcome } from './ci-result.js';
import { FILES_SHOWN, listed, reportCommand, reportPath, reportText } from './limits.js';
import { layerLineText, locationText } from './locations.js';
import { largestPackagesMarkdown } from './packages-report.js';
import { roundedFigure, RULE_DOCS } from './rule-docs.js';

/**
 * The Markdown summary (`--report markdown=FILE`, and GitHub's job summary): per image the
 * verdict, the figures, a rule table, what the path rules found, the largest inefficient files
 * and the size of every layer, with the Dockerfile line of each layer when it is known. Every
 * figure is rounded (fractions to four decimals, bytes with their unit). All images in one
 * document. Strings from the image are cut to their limits (`src/report/limits.ts`).
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

/** A rule's message with every long decimal it quotes (`efficiency=0.7962094966374567`) rounded to four places, as the table's figures are. */
const roundedText = (s: string) => s.replace(/\d+\.\d{5,}/g, (x) => String(Number(Number(x).toFixed(4))));

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);

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
      out.push(`## ❌ ${mdText(o.reference)}`, '', `Could not be read: ${mdText(reportText(o.message))}`, '');
      continue;
    }
    const s = o.summary;
    const bad = failed(o);
    const at = (layer: number) => (layerLineText(o, layer) ? ` at ${mdText(layerLineText(o, layer))}` : '');
    out.push(`## ${bad ? '❌' : '✅'} ${mdText(referenceOf(o))}`, '');
    if (o.sources) {
      const from = o.sources.from ? `, final stage at ${mdText(locationText({ kind: 'line', ...o.sources.from }))}` : '';
      out.push(`Dockerfile: ${mdText(o.sources.file)} (${o.sources.via === 'provenance' ? "from the image's build provenance" : 'matched to the history'}${from})`, '');
    }
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
        const { units } = RULE_DOCS[r.name];
        out.push(`| ${r.name} | ${status} | ${roundedFigure(units.threshold, r.threshold)} | ${roundedFigure(units.actual, r.actual)} | ${mdText(roundedText(r.message))} |`);
      }
      out.push('');
      for (const r of o.rules) {
        if (r.status !== 'fail' || !r.offenders?.length) continue;
        out.push(`**${r.name}** offending paths:`, '');
        for (const l of offenderLines(r, (x) => `${mdText(reportPath(x.path))} (${formatBytes(x.sizeBytes)}, layer ${x.layer}${at(x.layer)}: ${mdText(layerCommand(s, x.layer))})`)) out.push(`- ${l}`);
        out.push('');
      }
    }
    out.push('### Findings', '', ...findingsMarkdown(s.findings, mdText, 10, (layer) => layerLineText(o, layer)), '');
    if (s.inefficientFiles.length > 0) {
      out.push('<details><summary>Largest inefficient files</summary>', '', '| count | wasted | path |', '|---|---|---|');
      for (const l of listed(s.inefficientFiles, FILES_SHOWN, (f) => `| ${f.count} | ${formatBytes(f.wastedBytes)} | ${mdText(reportPath(f.path))} |`)) out.push(l.startsWith('|') ? l : `| | | ${l} |`);
      out.push('', '</details>', '');
    }
    if (o.packages) out.push(...largestPackagesMarkdown(o.packages, (x) => mdText(reportText(x))));
    if (o.sources) {
      out.push('<details><summary>Layers</summary>', '', '| # | size | line | command |', '|---|---|---|---|');
      for (const l of s.layers) out.push(`| ${l.index} | ${formatBytes(l.sizeBytes)} | ${mdText(layerLineText(o, l.index))} | ${mdText(reportCommand(l.command))} |`);
    } else {
      out.push('<details><summary>Layers</summary>', '', '| # | size | command |', '|---|---|---|');
      for (const l of s.layers) out.push(`| ${l.index} | ${formatBytes(l.sizeBytes)} | ${mdText(reportCommand(l.command))} |`);
    }
    out.push('', '</details>', '');
  }
  return `${out.join('\n')}\n`;
}
