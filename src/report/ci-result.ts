import type { AnalysisSummary, IgnoredFigures, RuleResult } from '../core/index.js';
import { escapeControl } from '../format/index.js';
import type { ImageSources } from '../provenance/index.js';
import { listed, OFFENDERS_SHOWN, reportCommand } from './limits.js';

export { OFFENDERS_SHOWN } from './limits.js';
import type { PackageSummary } from '../packages/index.js';

/**
 * What one CI run evaluated, image by image: every report format (text, JSON, Markdown, JUnit,
 * SARIF, GitHub workflow commands, GitLab Code Quality) renders this one value, so they can
 * never disagree.
 */

/** One image that was analysed. */
export type ImageResult = {
  readonly kind: 'analysed';
  /** The figures the rules were evaluated on: with an ignore list, those without the ignored paths. */
  readonly summary: AnalysisSummary;
  /** What the ignore list took out; absent when no ignore list was configured. */
  readonly ignored?: IgnoredFigures;
  /** Every rule's outcome in CI mode (dive's, then the configured path rules); absent otherwise. */
  readonly rules?: readonly RuleResult[];
  /** Which Dockerfile line made each layer, when known: where the reports locate results. */
  readonly sources?: ImageSources | null;
  /** What the image's package databases say; absent when they were not read (`--no-packages`). */
  readonly packages?: PackageSummary;
};

/** One image that could not be read: the argument and the one-line reason. */
export type ImageFailure = { readonly kind: 'unreadable'; readonly reference: string; readonly message: string };

export type CiOutcome = ImageResult | ImageFailure;

/** True when a rule failed. */
export function failed(r: ImageResult): boolean {
  return (r.rules ?? []).some((x) => x.status === 'fail');
}

/** The image's reference, escaped for display. */
export function referenceOf(o: CiOutcome): string {
  return escapeControl(o.kind === 'analysed' ? o.summary.identity.reference : o.reference);
}

/** `pass:N fail:N skip:N` counts of an image's rules. */
export function tally(r: ImageResult): { pass: number; fail: number; skip: number } {
  const t = { pass: 0, fail: 0, skip: 0 };
  for (const x of r.rules ?? []) t[x.status]++;
  return t;
}

/** The history step that made a layer (`RUN apk add x`), cut to `COMMAND_CHARS` and escaped, or '' when unknown. */
export function layerCommand(s: AnalysisSummary, layer: number): string {
  return reportCommand(s.layers[layer]?.command ?? '');
}

/** A rule's figure as people read it: fractions as they are, byte rules as bytes. */
export function formatFigure(x: number | null): string {
  return x === null ? 'n/a' : String(x);
}

/** A line per offending path of a rule (the first `OFFENDERS_SHOWN`), then `… and N more`. */
export function offenderLines(r: RuleResult, describe: (o: { path: string; layer: number; sizeBytes: number }) => string): string[] {
  return listed(r.offenders ?? [], OFFENDERS_SHOWN, describe);
}
