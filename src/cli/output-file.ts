import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors/index.js';

/**
 * Files the user asked for (`--json FILE`, `--report FORMAT=FILE`), written so that none is
 * ever seen half-written or stale: the old file is removed when the run starts (a run that
 * fails or is killed leaves no report that looks like its own), and the new one is written to
 * a temporary file beside it, flushed, and renamed over the name (atomic on one filesystem).
 */

/** Temporary files being written now, removed by `removeTempFiles` when a signal ends the run. */
const inFlight = new Set<string>();

function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e.message;
  }
}

/**
 * Removes what a previous run left at `file`, if anything. `flag` names the option in the
 * error (`--json report.json`). Synchronous: a run removes all its stale files in one turn of
 * the event loop, so a signal can never end it between two removals with a stale report left
 * looking current.
 */
export function removeStale(file: string, flag: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return; // nothing there (or no directory: reported when writing)
    throw new UsageError(`${flag}: cannot replace the file (${reason(err)})`, { cause: e });
  }
}

/** Writes `text` to `file` through a temporary file in the same directory and a rename. */
export async function writeFileAtomic(file: string, text: string, flag: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  inFlight.add(tmp);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new UsageError(`${flag}: cannot write the file (${reason(e as NodeJS.ErrnoException)})`, { cause: e });
  } finally {
    inFlight.delete(tmp);
  }
}

/** Removes the temporary files of writes still in progress (called on SIGINT/SIGTERM, synchronously). */
export function removeTempFiles(): void {
  for (const tmp of inFlight) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created
    }
  }
  inFlight.clear();
}
