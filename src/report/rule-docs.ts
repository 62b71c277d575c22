import type { FindingKind, RuleResult } from '../core/index.js';
import { formatBytes } from '../format/index.js';

/**
 * What every rule and kind of finding is, for the reports that describe their checks (SARIF's
 * rule metadata, which code scanning shows beside each alert) and that print figures (the
 * Markdown report rounds them by unit). One row per rule: a rule without a row does not compile.
 */

/**
 * Where the project's documentation is: the package's page, which carries the README (the
 * user's guide). The package names no repository, so this is the one stable address; the
 * anchors are the README's headings.
 */
export const DOCS_URL = 'https://www.npmjs.com/package/inspect-tui';

/** What a rule's threshold and actual figure count. */
export type FigureUnit = 'fraction' | 'bytes' | 'count';

export type RuleDoc = {
  /** A name for people and tools, PascalCase, distinct from the rule's id even ignoring case (SARIF1001). */
  readonly name: string;
  /** One sentence: what fails. */
  readonly short: string;
  /** What the rule measures, in full. */
  readonly full: string;
  /** Markdown: how to fix what the rule found. */
  readonly fix: string;
  /** The README section that documents it. */
  readonly anchor: string;
  /** What its threshold and its actual figure count (`paths.maxFileSize`: a size, and how many files exceed it). */
  readonly units: { readonly threshold: FigureUnit; readonly actual: FigureUnit };
};

const RULES_ANCHOR = '#rules-and-path-rules';
const FINDINGS_ANCHOR = '#findings-which-step-wasted-what-and-how-to-fix-it';

/** Every rule a CI run evaluates, and `unreadable` for an image that could not be read. */
export const RULE_DOCS: Readonly<Record<RuleResult['name'] | 'unreadable', RuleDoc>> = {
  lowestEfficiency: {
    name: 'EfficiencyTooLow',
    short: 'fail when the image efficiency is below the threshold',
    full: "dive's efficiency: the bytes that would remain if every path were stored once, over the bytes all layers store. Files written, rewritten or deleted by several layers lower it.",
    fix: 'Write each file once: delete temporary files in the same `RUN` that creates them, set owners and modes when copying (`COPY --chown=… --chmod=…`) instead of a later `chown -R`, and build in another stage to `COPY` only the result. The findings name the steps and the paths.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'fraction', actual: 'fraction' },
  },
  highestWastedBytes: {
    name: 'WastedBytesTooHigh',
    short: 'fail when the wasted bytes exceed the threshold',
    full: "dive's wasted bytes: the bytes of every path that more than one layer stores (every copy counts, the surviving one too).",
    fix: 'Store each path in one layer: fold later changes into the step that first writes the files, or delete them in the same `RUN`. The findings name the steps and the paths.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'bytes', actual: 'bytes' },
  },
  highestUserWastedPercent: {
    name: 'UserWastedShareTooHigh',
    short: 'fail when the wasted bytes over the bytes above the base layer exceed the threshold',
    full: "dive's user wasted percent: the wasted bytes over the bytes of every layer but the first.",
    fix: 'Store each path in one layer: delete temporary files in the same `RUN` that creates them, or build in another stage and `COPY` only the result. The findings name the steps and the paths.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'fraction', actual: 'fraction' },
  },
  'paths.block': {
    name: 'BlockedPathPresent',
    short: 'fail when a path matching paths.block is present in the final filesystem',
    full: 'A path of the final filesystem matches a glob of `paths.block` in the rules file: a file that must not ship (a `.git` directory, a private key).',
    fix: 'Keep the path out of the image: add it to `.dockerignore`, or copy only what runs from a build stage. The result names the step that wrote it.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'count', actual: 'count' },
  },
  'paths.denyWaste': {
    name: 'WasteUnderDeniedPath',
    short: 'fail when wasted bytes fall under paths matching paths.denyWaste',
    full: 'A layer stored bytes under a glob of `paths.denyWaste` that the final filesystem does not show: a copy a later layer overwrote or changed, or a file a later layer deleted.',
    fix: 'Write these paths once: make the final change in the step that first writes them, or delete them in the same `RUN` that creates them.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'count', actual: 'count' },
  },
  'paths.maxFileSize': {
    name: 'FileTooLarge',
    short: 'fail when a file of the final filesystem is larger than paths.maxFileSize',
    full: 'A file of the final filesystem is larger than `paths.maxFileSize` in the rules file.',
    fix: 'Leave the file out of the image (`.dockerignore`, a build stage), fetch it at run time, or raise `paths.maxFileSize` if it belongs there.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'bytes', actual: 'count' },
  },
  'paths.maxLayerCount': {
    name: 'TooManyLayers',
    short: 'fail when the image has more layers than paths.maxLayerCount',
    full: 'The image has more layers than `paths.maxLayerCount` in the rules file.',
    fix: 'Join consecutive `RUN` instructions with `&&`, or copy the result of a build stage in one `COPY`.',
    anchor: RULES_ANCHOR,
    units: { threshold: 'count', actual: 'count' },
  },
  highestFindingBytes: {
    name: 'FindingBytesTooHigh',
    short: 'fail when the findings hold more bytes than the threshold',
    full: 'The findings (waste between layers, package caches and build leftovers kept) hold more bytes than `highestFindingBytes`, in all or for one kind.',
    fix: "Follow each finding's advice, largest first: each names the step to change and how.",
    anchor: FINDINGS_ANCHOR,
    units: { threshold: 'bytes', actual: 'bytes' },
  },
  unreadable: {
    name: 'UnreadableImage',
    short: 'the image could not be read',
    full: 'The image argument could not be opened or read: a missing file, an unknown name, a registry refusing access, or bytes that contradict their digests.',
    fix: 'Check the image argument and the access to it; the message says what failed.',
    anchor: '#the-image-argument',
    units: { threshold: 'count', actual: 'count' },
  },
};

/** A finding kind as a reported check. */
export const FINDING_DOCS: Readonly<Record<FindingKind, Omit<RuleDoc, 'units' | 'anchor'>>> = {
  'deleted-later': {
    name: 'FilesDeletedLater',
    short: 'files written in one layer and deleted in a later one',
    full: 'A layer stores files that a later layer deletes: the image still carries their bytes. When a package manager wrote them (its caches, lists or database), the finding names the manager; when the base image wrote them, deleting them later saves nothing.',
    fix: "Delete the files in the same `RUN` that creates them, or build them in another stage and `COPY` only the result. A package's documentation: keep the package manager from installing it (dpkg's `path-exclude` in `/etc/dpkg/dpkg.cfg.d/`, `dnf --setopt=tsflags=nodocs`). apt's own files: one `apt-get update && apt-get install … && apt-get clean && rm -rf /var/lib/apt/lists/*` per `RUN`. Files of the base image: a slimmer base, or drop the step.",
  },
  overwritten: {
    name: 'ContentOverwritten',
    short: 'content replaced by a later layer',
    full: 'A layer stores files that a later layer replaces: the image carries both versions. A package manager rewriting its own database in every layer that runs it is named as that manager.',
    fix: 'Write the final version once: fold the later change into the step that first writes these files; run the package manager in as few `RUN`s as you can.',
  },
  'metadata-only': {
    name: 'MetadataOnlyRewrite',
    short: 'files copied again to change mode or owner, or written again unchanged',
    full: 'A later layer stores files again only to change their mode or owner (a `chown -R` or `chmod -R`), or with the same bytes and attributes.',
    fix: 'Set the owner and mode when copying (`COPY --chown=… --chmod=…`) instead of a later `chown -R`/`chmod -R`.',
  },
  'duplicate-content': {
    name: 'DuplicateContent',
    short: 'identical content at several paths',
    full: 'The same bytes are stored at several paths of the final filesystem.',
    fix: 'Keep one copy and link to it, or remove the extra copies in the step that makes them.',
  },
  'package-cache': {
    name: 'PackageCacheKept',
    short: 'package manager cache kept in the image',
    full: "A package manager's cache or index lists stay in the final image.",
    fix: "Use the manager's own fix in the same `RUN`: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, or a cache mount.",
  },
  'build-leftovers': {
    name: 'BuildLeftoversKept',
    short: 'build leftovers kept in the image',
    full: "Files a build needs but a running image does not (a `.git` directory, object files, static archives, downloaded archives beside their extracted tree, a package's headers and compilers) stay in the final image.",
    fix: 'Build in another stage and `COPY` only what runs; install `-dev` and build packages only in that stage. `.dockerignore` helps only for files a `COPY` from the build context brought in.',
  },
  'base-image': {
    name: 'WasteInBaseImage',
    short: 'waste inside the base image',
    full: "Waste entirely inside the base image's layers: no later step can take it back.",
    fix: 'Choose a slimmer base on the `FROM` line, or squash a base you build yourself.',
  },
};

/** A rule's figure, rounded for people: fractions to four decimals, bytes with their unit, counts whole; `n/a` for none. */
export function roundedFigure(unit: FigureUnit, x: number | null): string {
  if (x === null) return 'n/a';
  switch (unit) {
    case 'bytes':
      return formatBytes(x);
    case 'fraction':
      return String(Number(x.toFixed(4)));
    case 'count':
      return String(Math.round(x));
  }
}
