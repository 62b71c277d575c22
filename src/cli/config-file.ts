import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { UsageError } from '../errors/index.js';

/** The most a configuration file may hold (`.dive-ci`, `--ci-config`, the key bindings): 1 MiB. */
export const CONFIG_FILE_LIMIT = 1024 * 1024;

/** What a path is when it is not a regular file, for the one-line refusal. */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a file';
}

function cannotOpen(shown: string, e: NodeJS.ErrnoException): UsageError {
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ELOOP' ? 'too many levels of symbolic links' : e.message;
  return new UsageError(`${shown}: cannot read the file (${why})`, { cause: e, subject: shown, reason: why });
}

/**
 * Reads a configuration file as text, bounded: it must be a regular file (after following
 * links) of at most `CONFIG_FILE_LIMIT` bytes, else a UsageError naming it as `shown`. The file
 * is opened once, with O_NONBLOCK so that opening a FIFO cannot wait for a writer; the open
 * descriptor is what is checked (fstat) and read, so no other file can take its place between
 * the check and the read; and at most the limit plus one byte is read, so a file that grows
 * meanwhile is refused too.
 *
 * @param optional when true, a file that does not exist gives undefined (a default location);
 *   otherwise it is `shown: no such file`.
 */
export async function readConfigFile(file: string, shown: string, optional: boolean): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
      if (optional) return undefined;
      throw new UsageError(`${shown}: no such file`, { cause: e, subject: shown, reason: 'no such file' });
    }
    throw cannotOpen(shown, err);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new UsageError(`${shown}: ${kindOf(s)}, not a regular file (a config file must be one)`, { subject: shown, reason: 'not a regular file' });
    const tooLarge = () => new UsageError(`${shown}: larger than 1 MiB (a config file may hold at most ${CONFIG_FILE_LIMIT} bytes)`, { subject: shown, reason: 'too large' });
    if (s.size > CONFIG_FILE_LIMIT) throw tooLarge();
    const buf = Buffer.alloc(CONFIG_FILE_LIMIT + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > CONFIG_FILE_LIMIT) throw tooLarge();
    return buf.toString('utf8', 0, filled);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw cannotOpen(shown, e as NodeJS.ErrnoException);
  } finally {
    await fh.close();
  }
}
