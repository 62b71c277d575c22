import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { sniffCompression } from '../../archive/index.js';
import { kindOfFsError, SourceError } from '../../errors/index.js';
import type { SourceSettings } from '../settings.js';
import { openStreamBundle, openTarFileBundle, readHead, type Bundle } from './bundle.js';

/** `stat` of a path the user named, as a SourceError naming it (not-found, permission-denied…). */
export async function statOrFail(p: string) {
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
export async function openArchiveBundle(file: string, opts: SourceSettings): Promise<Bundle> {
  if (file === '-') {
    if (!opts.stdin) throw new SourceError('not-found', 'stdin', 'no input');
    opts.onStage?.('reading the archive from stdin');
    return openStreamBundle(opts.stdin, 'stdin', opts.onArchiveProgress, undefined, opts.verify !== false);
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
  // Opened again when a file's body is wanted (the viewer, extraction): nothing is kept meanwhile.
  const reopen = async () => createReadStream(file, { highWaterMark: 1 << 20 });
  return openStreamBundle(createReadStream(file, { highWaterMark: 1 << 20 }), file, opts.onArchiveProgress, s.size, opts.verify !== false, reopen);
}

