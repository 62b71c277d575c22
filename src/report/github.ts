import { plural } from '../format/text.js';
import { formatBytes } from '../format/bytes.js';
import { escapeControl } from '../format/escape.js';
import { failed, layerCommand, offenderLines, referenceOf, tally, type CiOutcome } from './ci-result.js';
import { reportPath, reportText } from './limits.js';

/**
 * GitHub Actions workflow commands (`--report github`, on stdout): one `::error` per failing
 * rule (its offending paths on the following lines of the same annotation: GitHub shows at most
 * ten annotations of a kind per step), one per image that could not be read, a `::warning`
 * for an image whose layers have path anomalies, and a `::notice` with each image's verdict.
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

// Image strings are escaped with escapeControl first, so none holds a CR or LF of its own:
// the only line breaks in a message are the ones added here, and they are encoded as %0A.
const command = (kind: 'error' | 'warning' | 'notice', title: string, lines: readonly string[]) => `::${kind} title=${escapeProperty(title)}::${escapeData(lines.join('\n'))}\n`;

export function formatGithubCommands(outcomes: readonly CiOutcome[]): string {
  let out = '';
  for (const o of outcomes) {
    const ref = referenceOf(o);
    if (o.kind === 'unreadable') {
      out += command('error', `inspect-tui: ${ref}`, [`could not be read: ${reportText(o.message)}`]);
      continue;
    }
    const s = o.summary;
    for (const r of o.rules ?? []) {
      if (r.status !== 'fail') continue;
      const lines = [`${r.name}: ${escapeControl(r.message)}`, ...offenderLines(r, (x) => `${reportPath(x.path)} (${formatBytes(x.sizeBytes)}, layer ${x.layer}: ${layerCommand(s, x.layer)})`)];
      out += command('error', `inspect-tui ${r.name}: ${ref}`, lines);
    }
    if (s.problems.length > 0) out += command('warning', `inspect-tui: ${ref}`, [`${s.problems.length} path anomalies in the layers (whiteouts of missing paths, entries under non-directories)`]);
    const t = tally(o);
    out += command('notice', `inspect-tui: ${ref}`, [
      `${o.rules ? (failed(o) ? 'FAIL' : 'PASS') : 'analysed'} [pass:${t.pass} fail:${t.fail} skip:${t.skip}] efficiency ${(s.efficiency * 100).toFixed(4)} %, wasted ${formatBytes(s.wastedBytes)}` +
        (o.ignored ? `, ignored ${plural(o.ignored.paths, 'path')} (${formatBytes(o.ignored.bytes)})` : ''),
    ]);
  }
  return out;
}
