import { formatBytes, escapeControl } from '../format/index.js';
import { formatFigure, layerCommand, offenderLines, referenceOf, tally, type CiOutcome } from './ci-result.js';
import { reportPath, reportText } from './limits.js';
import { imageLocation, layerLineText, locationText, wholeImageLocation, type ResultLocation } from './locations.js';

/** ` file="…"` for a testsuite: the file results are located in, when there is one. */
function fileAttribute(where: ResultLocation, dockerfile: string | undefined): string {
  const file = dockerfile ?? (where.kind === 'none' ? undefined : where.file);
  return file === undefined ? '' : ` file="${xmlText(file)}"`;
}

/**
 * JUnit XML (`--report junit=FILE`) in the shape GitLab, Jenkins and GitHub's test reporters
 * read, valid against Jenkins xunit's `junit-10.xsd` (which xunit validates every report with):
 * `<testsuites>` with one `<testsuite>` per image and one `<testcase>` per rule; a failed rule
 * has a `<failure>` with the actual value, the threshold, where to change it and its offending
 * paths; a disabled one is `<skipped>`; an image that could not be read is a testcase with
 * `<error>`. That schema gives a test case no file or line, so the location is said where it
 * allows: the testsuite's `file` (the Dockerfile, or the image argument relative to the
 * working directory) and, in each failure, `at Dockerfile:12-14` for the whole image (the final
 * stage's `FROM`) and after each offending path. Paths and commands from the image are cut to
 * their limits (`src/report/limits.ts`).
 */

/**
 * Text for XML 1.0 attributes and character data: control characters escaped first (most of
 * them cannot appear in XML 1.0 at all, not even as references), then the five markup
 * characters; lone surrogates and U+FFFE/U+FFFF, which XML forbids, become U+FFFD.
 */
export function xmlText(s: string): string {
  return escapeControl(s)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function formatJUnit(outcomes: readonly CiOutcome[], cwd: string): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const o of outcomes) {
    const name = xmlText(referenceOf(o));
    if (o.kind === 'unreadable') {
      tests++;
      errors++;
      suites.push(
        `  <testsuite name="${name}" tests="1" failures="0" errors="1" skipped="0"${fileAttribute(imageLocation(o.reference, cwd), undefined)}>\n` +
          `    <testcase name="read image" classname="${name}">\n` +
          `      <error message="${xmlText(reportText(o.message))}" type="unreadable">${xmlText(reportText(o.message))}</error>\n` +
          `    </testcase>\n  </testsuite>`,
      );
      continue;
    }
    const s = o.summary;
    const t = tally(o);
    const rules = o.rules ?? [];
    tests += rules.length;
    failures += t.fail;
    const whole = wholeImageLocation(o, cwd);
    const wholeAt = whole.kind === 'line' ? [`at: ${locationText(whole)}`] : [];
    const lineOf = (layer: number) => {
      const l = layerLineText(o, layer);
      return l ? ` at ${l}` : '';
    };
    const props = [
      ['efficiency', String(s.efficiency)],
      ['wastedBytes', String(s.wastedBytes)],
      ['userWastedPercent', formatFigure(s.userWastedPercent)],
      ['sizeBytes', String(s.sizeBytes)],
      ['layerCount', String(s.layers.length)],
      ...(o.ignored ? [['ignoredPaths', String(o.ignored.paths)], ['ignoredBytes', String(o.ignored.bytes)]] : []),
    ];
    const cases = rules.map((r) => {
      const head = `    <testcase name="${xmlText(r.name)}" classname="${name}">`;
      if (r.status === 'pass') return `${head}</testcase>`;
      if (r.status === 'skip') return `${head}\n      <skipped message="${xmlText(r.message)}"/>\n    </testcase>`;
      const detail = [
        `actual: ${formatFigure(r.actual)}`,
        `threshold: ${formatFigure(r.threshold)}`,
        ...wholeAt,
        ...offenderLines(r, (x) => `${reportPath(x.path)} (${formatBytes(x.sizeBytes)}, layer ${x.layer}${lineOf(x.layer)}: ${layerCommand(s, x.layer)})`),
      ]
        .map(xmlText)
        .join('\n');
      return `${head}\n      <failure message="${xmlText(r.message)}" type="${xmlText(r.name)}">${detail}</failure>\n    </testcase>`;
    });
    suites.push(
      `  <testsuite name="${name}" tests="${rules.length}" failures="${t.fail}" errors="0" skipped="${t.skip}"${fileAttribute(whole, o.sources?.file)}>\n` +
        `    <properties>\n${props.map(([k, v]) => `      <property name="${k}" value="${xmlText(v!)}"/>`).join('\n')}\n    </properties>\n` +
        `${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="inspect-tui" tests="${tests}" failures="${failures}" errors="${errors}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
