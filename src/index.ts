/**
 * inspect-tui as a library: the same lifecycle and figures as the CLI, for other Node tools.
 *
 * ```js
 * import { inspectImage, toJsonExport } from 'inspect-tui';
 * const a = await inspectImage('docker-archive:./img.tar');
 * console.log(a.efficiency, a.wastedBytes, toJsonExport(a).summary);
 * ```
 *
 * Nothing here prints, exits or loads the inspector's UI.
 */
import { existsSync } from 'node:fs';
import { createCaches, defaultCacheDir } from './cache/index.js';
import type { Analysis } from './core/index.js';
import type { ImageSources } from './provenance/index.js';
import { loadImage, type LoadEvent } from './load/index.js';
import { parsePlatform } from './reference/platform.js';
import { parseReference, type ImageReference } from './reference/reference.js';
import type { SourceSettings } from './sources/settings.js';

export type { Analysis, AnalysisSummary, LayerSummary, InefficientFile, Reclaimable, ChangeCounts, ImageIdentity, ImageConfig, LayerEntry, Platform } from './core/index.js';
export type { FileTree, FileEvent, ChangeCode } from './core/index.js';
export { Change } from './core/index.js';
export { evaluateRules, DEFAULT_RULES } from './core/index.js';
export { findFindings } from './core/index.js';
export type { Finding, FindingKind, FindingsOptions } from './core/index.js';
export type { RuleName, RuleResult, RuleSettings } from './core/index.js';
export { toExportV1 as toJsonExport, toDiveExport } from './report/json-export.js';
export type { ExportV1, DiveExport } from './report/json-export.js';
export { SourceError, UsageError, BugError } from './errors/index.js';
export type { SourceErrorKind } from './errors/index.js';
export type { LoadEvent } from './load/index.js';
export type { ImageReference } from './reference/reference.js';
export { parseReference, formatReference } from './reference/reference.js';
export { parsePlatform, formatPlatform } from './reference/platform.js';
export type { ImageSources, LayerSource, SourceLocation, InstructionRef, StageRef } from './provenance/index.js';

/** Options of `inspectImage`; every one is optional. */
export type InspectOptions = {
  /** `os/arch[/variant]` to pick from a multi-platform image. @default the host's, then linux/amd64 */
  readonly platform?: string;
  /** Where a bare name is looked up (dive's `--source`). @default a file, then the daemon, then the registry */
  readonly source?: SourceSettings['forceSource'];
  /**
   * The analysis cache directory, `true` for the default (`$XDG_CACHE_HOME/inspect-tui`), or
   * `false` to neither read nor write a cache. @default true
   */
  readonly cache?: boolean | string;
  /** Registry credentials and TLS, as the CLI's `--username`/`--password-stdin`/`--ca-cert`/`--insecure`. */
  readonly registry?: Partial<SourceSettings['registry']>;
  /** The environment sources read (DOCKER_HOST, DOCKER_CONFIG, XDG_*). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What the reference `-` reads. */
  readonly stdin?: SourceSettings['stdin'];
  /** Cancels the inspection: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Progress: stages, the opened image, bytes per layer. */
  readonly onEvent?: (event: LoadEvent) => void;
  /**
   * Check every layer's bytes against its digest, diffID and size before resolving; `false`
   * skips that (as `--no-verify`), and then nothing is written to the cache. @default true
   */
  readonly verify?: boolean;
  /** The containerd namespace for `containerd:` images (as `--namespace`). @default $CONTAINERD_NAMESPACE, else default */
  readonly namespace?: string;
};

/** A Dockerfile to locate an image's layers with: its text, and its path as results should name it (relative). */
export type DockerfileText = { readonly text: string; readonly file: string };

/** What `inspectImageWithSources` resolves to: the analysis and, beside it, the Dockerfile line of each layer. */
export type InspectedImage = {
  readonly analysis: Analysis;
  /**
   * Which Dockerfile line made each layer: from the image's BuildKit provenance when it carries
   * usable provenance, else from `dockerfile` when its instructions match the image's history;
   * null when neither locates the layers. Pass it to `toJsonExport(summary, rules, { sources })`.
   */
  readonly sources: ImageSources | null;
  /** Why the given Dockerfile gave no lines, one clause each (text from the file: escape it before printing). */
  readonly warnings: readonly string[];
};

/**
 * Reads and analyses one image, from any source the CLI reads (`docker-archive:PATH`,
 * `oci:DIR`, `oci-archive:PATH`, `docker-daemon:NAME`, `docker://NAME`, or a bare path or
 * name), and resolves to the analysis: the same figures as `inspect-tui --json` (pass it to
 * `toJsonExport` for that JSON, or to `evaluateRules` for the CI verdict), plus the merged
 * filesystems (`tree`). The image is closed before the promise resolves.
 *
 * Rejects with SourceError (the image cannot be read: `kind`, `subject`, `reason`; a layer whose
 * bytes contradict its digest is `digest-mismatch`) or UsageError (a malformed reference or option).
 */
export async function inspectImage(reference: string | ImageReference, options: InspectOptions = {}): Promise<Analysis> {
  return (await inspectImageWithSources(reference, options)).analysis;
}

/**
 * `inspectImage`, and the Dockerfile line of each layer beside the analysis: `dockerfile` (as
 * `--dockerfile`: it may match the history on keywords alone), or the image's own BuildKit
 * provenance, which wins. A layer no instruction matches has no line, never a wrong one.
 */
export async function inspectImageWithSources(reference: string | ImageReference, options: InspectOptions & { readonly dockerfile?: DockerfileText } = {}): Promise<InspectedImage> {
  const env = options.env ?? process.env;
  const ref = typeof reference === 'string' ? parseReference(reference, existsSync) : reference;
  const cacheDir = options.cache === false ? undefined : typeof options.cache === 'string' ? options.cache : defaultCacheDir(env);
  const settings: SourceSettings = {
    platform: options.platform === undefined ? undefined : parsePlatform(options.platform),
    forceSource: options.source,
    registry: { caCertFiles: [], insecure: false, ...options.registry },
    env,
    stdin: options.stdin,
    verify: options.verify,
    namespace: options.namespace,
  };
  const dockerfiles = options.dockerfile ? [{ text: options.dockerfile.text, file: options.dockerfile.file, how: 'given' as const }] : [];
  const loaded = await loadImage(ref, { settings, caches: cacheDir === undefined ? undefined : createCaches(cacheDir), signal: options.signal, onEvent: options.onEvent, dockerfiles });
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return { analysis: loaded.analysis, sources: loaded.lines.sources, warnings: loaded.lines.warnings };
}
