import type { CiOutcome } from './ci-result.js';
import { formatCodeQuality } from './codequality.js';
import { formatGithubCommands } from './github.js';
import { imagesPage, readPageClient, renderHtmlReport, type PageImage } from './html/index.js';
import { formatJUnit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';

/**
 * The report formats of `--report FORMAT[=FILE]`, in one table: the parser takes their names and
 * where each may go from here, the help lists them from here, and the CI run renders through
 * `render`. A new format is a new row.
 */

/** What a renderer may need beside the outcomes. */
export type ReportContext = {
  readonly version: string;
  /** The working directory: image arguments are located relative to it (never by absolute path). */
  readonly cwd: string;
  /** The HTML report's page data per image (bounded; built while each image's trees were loaded), for rows with `needsTree`. */
  readonly pages?: readonly PageImage[];
};

/**
 * Where a report goes:
 * - `file`: only to the FILE given (`junit=FILE`); a FILE is required;
 * - `stdout`: only to stdout (workflow commands); a FILE is refused;
 * - `file-or-step-summary`: to the FILE given, and appended to `$GITHUB_STEP_SUMMARY` when that is
 *   set; without a FILE, only there (then `$GITHUB_STEP_SUMMARY` must be set).
 */
export type ReportDestination = 'file' | 'stdout' | 'file-or-step-summary';

/** One row: a format's name, what it is for, where it goes, and how it is rendered. */
export type ReportFormatSpec = {
  readonly name: string;
  /** For the help: what the report is for. */
  readonly description: string;
  readonly destination: ReportDestination;
  /** The report draws the filesystem: the CI run loads each image's trees to build `ReportContext.pages`. */
  readonly needsTree?: boolean;
  /** `inspect-tui diff … --report FORMAT=FILE` writes it too, for the comparison. */
  readonly comparison?: boolean;
  /** The whole report, from the one evaluated result every format renders. */
  readonly render: (outcomes: readonly CiOutcome[], ctx: ReportContext) => string;
};

/** Every format of `--report`, in the order the help lists them. */
export const REPORT_FORMATS = [
  { name: 'markdown', description: 'a summary table (appended to $GITHUB_STEP_SUMMARY when set)', destination: 'file-or-step-summary', render: (o) => formatMarkdown(o) },
  { name: 'junit', description: 'JUnit XML, one test per rule', destination: 'file', render: (o, ctx) => formatJUnit(o, ctx.cwd) },
  { name: 'sarif', description: 'SARIF 2.1.0 for code scanning', destination: 'file', render: (o, ctx) => formatSarif(o, { version: ctx.version, cwd: ctx.cwd }) },
  { name: 'github', description: 'GitHub workflow commands, on stdout', destination: 'stdout', render: (o, ctx) => formatGithubCommands(o, ctx.cwd) },
  { name: 'codequality', description: 'GitLab Code Quality JSON', destination: 'file', render: (o, ctx) => formatCodeQuality(o, ctx.cwd) },
  {
    name: 'html',
    description: 'a self-contained page: size treemap, layers, findings (also for diff)',
    destination: 'file',
    needsTree: true,
    comparison: true,
    render: (_o, ctx) => renderHtmlReport(imagesPage(ctx.pages ?? [], `inspect-tui ${ctx.version}`), readPageClient()),
  },
] as const satisfies readonly ReportFormatSpec[];

/** The name of a format of the table. */
export type ReportFormat = (typeof REPORT_FORMATS)[number]['name'];

/** The row of a format name, or undefined for a name no row has. */
export function reportFormat(name: string): ReportFormatSpec | undefined {
  return REPORT_FORMATS.find((f) => f.name === name);
}
