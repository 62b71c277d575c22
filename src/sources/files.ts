import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { sniffCompression } from '../archive/decompress.js';
import type { ProgressFn } from '../archive/layer-blob.js';
import { openDirBundle, openStreamBundle, openTarFileBundle, readHead, type Bundle } from './bundle.js';
import { openDockerArchiveBundle } from './docker-archive/resolve.js';
import { kindOfFsError, SourceError } from '../errors/index.js';
import type { OpenedImage } from './image-source.js';
import { openOciLayoutBundle } from './oci-layout/resolve.js';
import { createReadStream } from 'node:fs';

export type FileSourceOptions = {
  readonly platform?: string;
  /** The stream `-` means (stdin); injected so tests can pass their own. */
  readonly stdin?: Readable;
  readonly onStage?: (message: string) => void;
  /** Progress of reading the archive itself (for one-pass streams this is the whole job). */
  readonly onArchiveProgress?: ProgressFn;
};

async function statOrFail(p: string) {
  const s = await stat(p).catch((e: NodeJS.ErrnoException) => {
    const kind = kindOfFsError(e);
    const why = kind === 'not-found' ? 'no such file or directory' : kind === 'permission-denied' ? 'permission denied' : `cannot open (${e.message})`;
    throw new SourceError(kind, p, why, { cause: e });
  });
  return s;
}

/**
 * Opens an archive file as a bundle: an uncompressed tar is indexed in place; a gzip- or
 * zstd-wrapped one (`docker save | gzip`) and `-` (stdin) are read once as a stream.
 */
export async function openArchiveBundle(file: string, opts: FileSourceOptions): Promise<Bundle> {
  if (file === '-') {
    if (!opts.stdin) throw new SourceError('not-found', 'stdin', 'no input');
    opts.onStage?.('reading the archive from stdin');
    return openStreamBundle(opts.stdin, 'stdin', opts.onArchiveProgress);
  }
  const s = await statOrFail(file);
  if (s.isDirectory()) throw new SourceError('unsupported-format', file, `a directory, not an archive (use oci:${file} for an OCI layout)`);
  const head = await readHead(file);
  const c = sniffCompression(head);
  if (typeof c !== 'string') throw new SourceError('unsupported-format', file, `not an image archive (${c.unknown})`);
  if (c === 'none') {
    opts.onStage?.(`indexing ${file}`);
    return openTarFileBundle(file, opts.onArchiveProgress);
  }
  opts.onStage?.(`reading ${c}-compressed ${file}`);
  return openStreamBundle(createReadStream(file, { highWaterMark: 1 << 20 }), file, opts.onArchiveProgress, s.size);
}

export async function openDockerArchive(path: string, ref: string | undefined, reference: string, opts: FileSourceOptions): Promise<OpenedImage> {
  const bundle = await openArchiveBundle(path, opts);
  if (!bundle.has('manifest.json')) {
    const hint = bundle.has('index.json') ? ' (it is an OCI layout: use oci-archive:)' : '';
    throw new SourceError('unsupported-format', bundle.label, `not a docker-save archive: manifest.json is missing${hint}`);
  }
  return openDockerArchiveBundle(bundle, ref, reference);
}

export async function openOciArchive(path: string, ref: string | undefined, reference: string, opts: FileSourceOptions): Promise<OpenedImage> {
  const bundle = await openArchiveBundle(path, opts);
  return openOciLayoutBundle(bundle, ref, opts.platform, reference, 'oci-archive');
}

export async function openOciDir(dir: string, ref: string | undefined, reference: string, opts: FileSourceOptions): Promise<OpenedImage> {
  const s = await statOrFail(dir);
  if (!s.isDirectory()) throw new SourceError('unsupported-format', dir, `not a directory (use oci-archive:${dir} for a tar of an OCI layout)`);
  return openOciLayoutBundle(await openDirBundle(dir), ref, opts.platform, reference, 'oci');
}

/**
 * Opens an existing path given without a transport: a directory is an OCI layout; a file is
 * sniffed, and read as docker-archive when it has manifest.json, else as an OCI layout tar.
 */
export async function openSniffedPath(path: string, opts: FileSourceOptions): Promise<OpenedImage> {
  const s = await statOrFail(path);
  if (s.isDirectory()) return openOciDir(path, undefined, `oci:${path}`, opts);
  const bundle = await openArchiveBundle(path, opts);
  if (bundle.has('manifest.json')) return openDockerArchiveBundle(bundle, undefined, `docker-archive:${path}`);
  if (bundle.has('index.json')) return openOciLayoutBundle(bundle, undefined, opts.platform, `oci-archive:${path}`, 'oci-archive');
  throw new SourceError('unsupported-format', path, `neither a docker-save archive nor an OCI layout (no manifest.json or index.json)`);
}
