import type { AnalysisSummary, IgnoredFigures, RuleResult } from '../core/index.js';
import { escapeControl } from '../format/escape.js';
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
  /** What the image's package databases say; absent when they were not read (`--no-packages`). */
  readonly packages?: PackageSummary;
};

/** One image that could not be read: the argument and the one-line reason. */
export type ImageFailure = { readonly kind: 'unreadable'; readonly reference: string; readonly message: string };

export type CiOutcome = ImageResult | ImageFailure;

/** How many offending paths a report names per rule; the rest are counted. */
export const OFFENDERS_SHOWN = 20;

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

/** The history step that made a layer, escaped (`RUN apk add x`), or '' when unknown. */
export function layerCommand(s: AnalysisSummary, layer: number): string {
  return escapeControl(s.layers[layer]?.command ?? '');
}

/** A rule's figure as people read it: fractions as they are, byte rules as bytes. */
export function formatFigure(x: number | null): string {
  return x === null ? 'n/a' : String(x);
}

/** One sentence per failing rule, with its offenders' count beyond the shown ones. */
export function offenderLines(r: RuleResult, describe: (o: { path: string; layer: number; sizeBytes: number }) => string): string[] {
  const all = r.offenders ?? [];
  const lines = all.slice(0, OFFENDERS_SHOWN).map(describe);
  if (all.length > OFFENDERS_SHOWN) lines.push(`… and ${all.length - OFFENDERS_SHOWN} more`);
  return lines;
}

/** The image as a file location: `dist/app.tar` for `docker-archive:dist/app.tar[:tag]`, else the reference. */
export function imageLocation(ref: string): string {
  const m = /^(?:docker-archive|oci-archive|oci):([^:]+)/.exec(ref);
  return m ? m[1]! : ref;
}
