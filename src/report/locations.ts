import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../core/index.js';
import { fileOf, parseReference } from '../reference/index.js';
import type { ImageSources, SourceLocation } from '../provenance/index.js';
import type { ImageResult } from './ci-result.js';

/**
 * Where a report puts a result, so that a developer can act on it:
 * - `line`: the Dockerfile lines of the instruction to change (`file` as the user gave it, relative);
 * - `file`: a file without a line: the image's archive or layout, relative to the working
 *   directory (an image without a Dockerfile), or the Dockerfile when the layer matched no line;
 * - `none`: no file (an image from a registry or a daemon, known by its reference alone).
 *
 * Never an absolute path: code scanning and GitLab refuse them, and they name the machine.
 */
export type ResultLocation =
  | { readonly kind: 'line'; readonly file: string; readonly line: number; readonly endLine: number }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'none' };

const NONE: ResultLocation = { kind: 'none' };

/** A path relative to `cwd`, with `/` separators; `.` parts and a leading `./` dropped. */
function relative(file: string, cwd: string): string {
  return path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
}

/**
 * The image argument as a location: the archive or layout it reads, relative to `cwd`
 * (`dist/app.tar` for `docker-archive:/srv/app/dist/app.tar:app` run in /srv/app); `none`
 * for stdin, a daemon, a registry or containerd.
 */
export function imageLocation(reference: string, cwd: string): ResultLocation {
  if (reference.trim() === '') return NONE;
  let file: string | undefined;
  try {
    file = fileOf(parseReference(reference), (p) => existsSync(path.resolve(cwd, p)));
  } catch {
    return NONE;
  }
  if (file === undefined) return NONE;
  const rel = relative(file, cwd);
  return rel === '' ? NONE : { kind: 'file', file: rel };
}

const line = (s: SourceLocation): ResultLocation => ({ kind: 'line', file: s.file, line: s.line, endLine: s.endLine });

/** The lines of an image result, when they are known. */
function sourcesOf(o: ImageResult): ImageSources | null {
  return o.sources ?? null;
}

/** Where results about the whole image go: the final stage's `FROM` line, else the image argument. */
export function wholeImageLocation(o: ImageResult, cwd: string): ResultLocation {
  const s = sourcesOf(o);
  if (s?.from) return line(s.from);
  return imageLocation(o.summary.identity.reference, cwd);
}

/**
 * Where a result about one layer goes: the lines of the instruction that made it; for a layer
 * of the base image, the final stage's `FROM` (where the base is chosen); for a layer no
 * instruction is known for, the Dockerfile without a line (never a wrong line); without a
 * Dockerfile, the image argument.
 */
export function layerLocation(o: ImageResult, layer: number, cwd: string): ResultLocation {
  const s = sourcesOf(o);
  if (!s) return imageLocation(o.summary.identity.reference, cwd);
  const l = s.layers[layer];
  if (l?.source) return line(l.source);
  if (l?.base && s.from) return line(s.from);
  return { kind: 'file', file: s.file };
}

/**
 * The instruction a finding is about: the line of the first of its layers that has one (the
 * step that wrote the bytes, whose instruction the advice is about: delete in the same RUN, set
 * the owner when copying, clean the cache); for a finding inside the base image, the final
 * stage's `FROM`. Undefined when no line is known.
 */
export function findingLine(s: ImageSources | null, f: Finding): SourceLocation | undefined {
  if (!s) return undefined;
  for (const fl of f.layers) {
    const src = s.layers[fl.index]?.source;
    if (src) return src;
  }
  if (s.from && f.layers.length > 0 && f.layers.every((fl) => s.layers[fl.index]?.base)) return s.from;
  return undefined;
}

/** Where a finding goes in a report: its Dockerfile line (`findingLine`); without one, undefined. */
export function findingLocation(o: ImageResult, f: Finding): Extract<ResultLocation, { kind: 'line' }> | undefined {
  const src = findingLine(sourcesOf(o), f);
  return src && { kind: 'line', file: src.file, line: src.line, endLine: src.endLine };
}

/** `Dockerfile:12`, `Dockerfile:12-14`, `dist/app.tar`, or '' for none. Not escaped. */
export function locationText(l: ResultLocation): string {
  switch (l.kind) {
    case 'line':
      return `${l.file}:${l.line}${l.endLine > l.line ? `-${l.endLine}` : ''}`;
    case 'file':
      return l.file;
    case 'none':
      return '';
  }
}

/** `Dockerfile:12-14` for a layer with a line, '' otherwise: what a report adds after a layer's command. Not escaped. */
export function layerLineText(o: ImageResult, layer: number): string {
  const src = sourcesOf(o)?.layers[layer]?.source;
  return src ? locationText(line(src)) : '';
}
