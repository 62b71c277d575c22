import { randomBytes } from 'node:crypto';
import { realpathSync, statSync, unlinkSync } from 'node:fs';
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

/** A file the run writes: its path as given, and the option that names it (`--json out.json`). */
export type OutputFile = { readonly path: string; readonly flag: string };

/** A file or directory the run reads: its path as given, and what it is (`the image img.tar`, `the rules file .dive-ci`). */
export type InputFile = { readonly path: string; readonly what: string };

/** How a path is compared: where it leads with links followed, and the file it is when there is one. */
type Identity = { readonly resolved: string; readonly file?: { readonly dev: number; readonly ino: number } };

function identify(p: string, cwd: string): Identity {
  const abs = path.resolve(cwd, p);
  let resolved = abs;
  try {
    resolved = realpathSync(abs);
  } catch {
    // not there (yet): its directory with links followed, and the name
    try {
      resolved = path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      // no such directory either: the path as written, resolved
    }
  }
  let file: Identity['file'];
  try {
    const s = statSync(abs);
    file = { dev: s.dev, ino: s.ino };
  } catch {
    // nothing there: compared by path only
  }
  return { resolved, file };
}

const same = (a: Identity, b: Identity) => a.resolved === b.resolved || (a.file !== undefined && b.file !== undefined && a.file.dev === b.file.dev && a.file.ino === b.file.ino);

/**
 * Refuses a run whose outputs would replace what it reads or each other, before anything is
 * removed, read or pulled: every output is compared with every input and every other output by
 * the path it resolves to (`./x` and `x`, a symbolic link and its target) and, where the file
 * exists, by device and inode (a hard link). Throws one UsageError naming both.
 */
export function checkOutputs(outputs: readonly OutputFile[], inputs: readonly InputFile[], cwd: string): void {
  const ins = inputs.map((i) => ({ ...i, id: identify(i.path, cwd) }));
  const seen: { flag: string; id: Identity }[] = [];
  for (const o of outputs) {
    const id = identify(o.path, cwd);
    const input = ins.find((i) => same(i.id, id));
    if (input) throw new UsageError(`${o.flag}: the same file as ${input.what}; an output never replaces an input`, { subject: o.flag, reason: `the same file as ${input.what}` });
    const other = seen.find((x) => same(x.id, id));
    if (other) throw new UsageError(`${o.flag}: the same file as ${other.flag}; each output needs a file of its own`, { subject: o.flag, reason: `the same file as ${other.flag}` });
    seen.push({ flag: o.flag, id });
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
