import { plural, formatBytes, escapeControl } from '../format/index.js';
import { failed, layerCommand, offenderLines, referenceOf, tally, type CiOutcome, type ImageResult } from './ci-result.js';
import { findingTitle, ownersText } from './findings-report.js';
import { FINDINGS_LOCATED, OFFENDERS_SHOWN, reportPath, reportText } from './limits.js';
import { findingLocation, imageLocation, layerLineText, layerLocation, locationText, wholeImageLocation, type ResultLocation } from './locations.js';

/**
 * GitHub Actions workflow commands (`--report github`, on stdout), each located where a developer
 * can act (`file=`, `line=`, `endLine=`): one `::error` per failing rule at the final stage's
 * `FROM` line (its offending paths on the following lines of the same annotation: GitHub shows
 * at most ten annotations of a kind per step), one more per Dockerfile line that wrote offending
 * paths, a `::warning` per finding on its line (the first `FINDINGS_LOCATED`), one `::error` per
 * image that could not be read, a `::warning` for an image whose layers have path anomalies,
 * and a `::notice` with each image's verdict. Without a Dockerfile, results are located at the
 * image argument relative to the working directory (no `file` for a registry or a daemon).
 * Paths and commands from the image are cut to their limits (`src/report/limits.ts`).
 */

/** Escapes a command's message (toolkit's escapeData): `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property (toolkit's escapeProperty): also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The `file=…,line=…,endLine=…,` properties of a location (none for `none`). */
function locationProperties(where: ResultLocation): string {
  switch (where.kind) {
    case 'line':
      return `file=${escapeProperty(escapeControl(where.file))},line=${where.line},endLine=${where.endLine},`;
    case 'file':
      return `file=${escapeProperty(escapeControl(where.file))},`;
    case 'none':
      return '';
  }
}

// Image strings are escaped with escapeControl first, so none holds a CR or LF of its own:
// the only line breaks in a message are the ones added here, and they are encoded as %0A.
const command = (kind: 'error' | 'warning' | 'notice', where: ResultLocation, title: string, lines: readonly string[]) =>
  `::${kind} ${locationProperties(where)}title=${escapeProperty(title)}::${escapeData(lines.join('\n'))}\n`;

const NONE: ResultLocation = { kind: 'none' };

/** ` at Dockerfile:12-14` after a layer, when its line is known. */
function at(o: ImageResult, layer: number): string {
  const l = layerLineText(o, layer);
  return l ? ` at ${escapeControl(l)}` : '';
}

export function formatGithubCommands(outcomes: readonly CiOutcome[], cwd: string): string {
  let out = '';
  for (const o of outcomes) {
    const ref = referenceOf(o);
    if (o.kind === 'unreadable') {
      out += command('error', imageLocation(o.reference, cwd), `inspect-tui: ${ref}`, [`could not be read: ${reportText(o.message)}`]);
      continue;
    }
    const s = o.summary;
    for (const r of o.rules ?? []) {
      if (r.status !== 'fail') continue;
      const lines = [`${r.name}: ${escapeControl(r.message)}`, ...offenderLines(r, (x) => `${reportPath(x.path)} (${formatBytes(x.sizeBytes)}, layer ${x.layer}${at(o, x.layer)}: ${layerCommand(s, x.layer)})`)];
      out += command('error', wholeImageLocation(o, cwd), `inspect-tui ${r.name}: ${ref}`, lines);
      // One more annotation on each Dockerfile line that wrote offending paths, listing them.
      const byLine = new Map<string, { where: ResultLocation; layer: number; lines: string[] }>();
      for (const x of (r.offenders ?? []).slice(0, OFFENDERS_SHOWN)) {
        const where = layerLocation(o, x.layer, cwd);
        if (where.kind !== 'line') continue;
        const key = locationText(where);
        let g = byLine.get(key);
        if (!g) byLine.set(key, (g = { where, layer: x.layer, lines: [] }));
        g.lines.push(`${reportPath(x.path)} (${formatBytes(x.sizeBytes)}, layer ${x.layer})`);
      }
      for (const g of byLine.values()) {
        out += command('error', g.where, `inspect-tui ${r.name}: ${ref}`, [`${r.name}: ${plural(g.lines.length, 'path')} written here break the rule: ${layerCommand(s, g.layer)}`, ...g.lines]);
      }
    }
    out += findingCommands(o, ref);
    if (s.problems.length > 0) out += command('warning', NONE, `inspect-tui: ${ref}`, [`${s.problems.length} path anomalies in the layers (whiteouts of missing paths, entries under non-directories)`]);
    const t = tally(o);
    out += command('notice', NONE, `inspect-tui: ${ref}`, [
      `${o.rules ? (failed(o) ? 'FAIL' : 'PASS') : 'analysed'} [pass:${t.pass} fail:${t.fail} skip:${t.skip}] efficiency ${(s.efficiency * 100).toFixed(4)} %, wasted ${formatBytes(s.wastedBytes)}` +
        (o.ignored ? `, ignored ${plural(o.ignored.paths, 'path')} (${formatBytes(o.ignored.bytes)})` : ''),
    ]);
  }
  return out;
}

/** A `::warning` per finding that has a Dockerfile line, largest first, at most `FINDINGS_LOCATED`. */
function findingCommands(o: ImageResult, ref: string): string {
  let out = '';
  let n = 0;
  for (const f of o.summary.findings) {
    if (n >= FINDINGS_LOCATED) break;
    const where = findingLocation(o, f);
    if (!where) continue;
    n++;
    const title = `inspect-tui: ${formatBytes(f.bytes)} ${findingTitle(f)}: ${ref}`;
    out += command('warning', where, title, [
      ...f.layers.map((l) => `layer ${l.index}${at(o, l.index)}: ${layerCommand(o.summary, l.index)}`),
      f.paths.slice(0, 3).map((p) => reportPath(p.path)).join(', ') + (f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : ''),
      ...(f.owners.length > 0 ? [`owned by ${ownersText(f)}`] : []),
      `fix: ${escapeControl(f.advice)}`,
    ]);
  }
  return out;
}
