import { lstatSync, readlinkSync } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LayerAccess } from '../archive/index.js';
import type { Analysis, LayerEntry } from '../core/index.js';
import type { ExtractOptions, ExtractRequest, ExtractResult, Extractor, SkipKind, Skipped } from './types.js';
import { readMembers, type BodyWriter, type Want } from './read-bodies.js';

export type { LayerAccess };

/**
 * One path to write: its entry, and for a hard link either the path of its target in this
 * extraction (`linkTo`: written as a link to it) or the entry whose body it copies (`bodyFrom`:
 * the target is not extracted).
 */
type Item = { readonly rel: string; readonly entryId: number; readonly bodyFrom?: number; readonly linkTo?: string };

/** True when a relative name is safe to create under the destination: no `..`, not absolute, no empty parts. */
export function isSafeRelative(rel: string): boolean {
  if (rel === '' || isAbsolute(rel) || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return false;
  return rel.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

/** Symlinks a resolution may pass through: the target of the symlink at a relative path, if there is one. */
export type SymlinkLookup = (rel: string) => string | undefined;

/** Links followed while resolving one target before giving up (Linux's own limit). */
const MAX_LINK_HOPS = 40;

/**
 * True when a symlink at `rel` pointing at `target` stays inside the destination. The target
 * is resolved component by component, following the symlinks `lookup` knows (those being
 * extracted and those already on disk), as the kernel would: `d -> .` with
 * `esc -> d/d/d/../../../etc` escapes although `d/d/d/../../../etc` looks like `etc`.
 * Absolute targets, a `..` above the destination and link loops are refused.
 */
export function symlinkStaysInside(rel: string, target: string, lookup: SymlinkLookup = () => undefined): boolean {
  if (target === '' || isAbsolute(target)) return false;
  const dir = rel.split('/').slice(0, -1);
  const stack: string[] = [];
  // The link's own directory is reached through real directories (parents are checked on write).
  for (const c of dir) stack.push(c);
  const queue = target.split('/').reverse();
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.pop()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return false;
      stack.pop();
      continue;
    }
    stack.push(c);
    const at = stack.join('/');
    const link = at === rel ? target : lookup(at);
    if (link === undefined) continue;
    if (++hops > MAX_LINK_HOPS || link === '' || isAbsolute(link)) return false;
    stack.pop();
    const parts = link.split('/');
    for (let i = parts.length - 1; i >= 0; i--) queue.push(parts[i]!);
  }
  return true;
}

async function exists(p: string) {
  return lstat(p).then(
    (s) => s,
    () => undefined,
  );
}

/** Throws when any directory between `root` and `dest` is a symlink (a write must never follow one). */
async function assertNoSymlinkParents(root: string, dest: string): Promise<void> {
  const parts = relative(root, dirname(dest)).split(sep).filter(Boolean);
  let cur = root;
  for (const p of parts) {
    cur = join(cur, p);
    const s = await exists(cur);
    if (s?.isSymbolicLink()) throw new Error(`${relative(root, cur)} is a symlink`);
  }
}

/** Mode bits written: permissions, and the sticky bit of a directory (`/tmp`); setuid and setgid never. */
const FILE_MODE = 0o777;
const DIR_MODE = 0o1777;

/** Whether the owners of the image can be given to what is written (only root may chown). */
const canChown = () => process.getuid?.() === 0;

/**
 * Extracts the subtree at a path, as the merged filesystem after a layer has it, into `cwd`:
 * directories, regular files (from the layer that wrote each one, streamed to disk), hard
 * links (as links when their target is extracted too, else as a copy of it), and symlinks
 * that stay inside `cwd`. Modes are the image's (setuid and setgid dropped, a directory's
 * sticky bit kept), modification times the image's (directories' set after their contents),
 * and owners the image's when running as root. Names with `..` or absolute names, escaping
 * symlinks, devices and FIFOs are skipped and reported. Nothing is overwritten unless the
 * request says so; without it, existing destinations come back as a conflict and nothing is
 * written. Progress is reported at once (the totals) and then as bytes are written.
 */
export function createExtractor(a: Analysis, layers: readonly LayerAccess[], cwd: string): Extractor {
  const root = resolve(cwd);
  return {
    async extract(req: ExtractRequest, opts: ExtractOptions = {}): Promise<ExtractResult> {
      const { signal, onProgress } = opts;
      const { tree } = a;
      const at = (pathId: number) => tree.entryIdAt(req.layer, pathId);
      const entry = (g: number) => tree.entry(g);
      const whole = req.pathId === 0;
      if (req.layer < 0 || req.layer >= tree.layerCount || (!whole && at(req.pathId) < 0)) throw new Error(`/${tree.pathOf(req.pathId)} is not in the filesystem at L${req.layer}`);
      if (req.into !== undefined && (!isSafeRelative(req.into) || req.into.includes('/'))) throw new Error(`${req.into} is not a plain directory name`);
      const parent = whole ? 0 : tree.parentOf(req.pathId);
      const prefix = parent === 0 ? '' : `${tree.pathOf(parent)}/`;
      const into = req.into === undefined ? '' : `${req.into}/`;
      const skipped: Skipped[] = [];
      const skip = (path: string, reason: string, kind: SkipKind) => void skipped.push({ path, reason, kind });
      // The regular files of the extraction, by path id: a hard link to one of them is a link.
      const extracted = new Map<number, string>();
      const found: { rel: string; entryId: number; pathId: number }[] = [];
      tree.forSubtree(req.pathId, (x) => {
        if (x === 0) return; // the root itself has no entry
        const g = at(x);
        if (g < 0) return;
        const own = tree.pathOf(x).slice(prefix.length);
        if (!isSafeRelative(own)) return skip(own, 'unsafe name', 'unsafe name');
        found.push({ rel: into + own, entryId: g, pathId: x });
        if (entry(g).type === 'file') extracted.set(x, into + own);
      });
      const items: Item[] = [];
      for (const f of found) {
        const e = entry(f.entryId);
        if (e.type !== 'hardlink') {
          items.push({ rel: f.rel, entryId: f.entryId });
          continue;
        }
        const t = tree.find(e.linkTarget ?? '');
        const tg = t === undefined ? -1 : at(t);
        if (tg < 0 || entry(tg).type !== 'file') {
          skip(f.rel, 'hard link target missing', 'missing link target');
          continue;
        }
        const linkTo = extracted.get(t!);
        items.push(linkTo !== undefined ? { rel: f.rel, entryId: f.entryId, linkTo } : { rel: f.rel, entryId: f.entryId, bodyFrom: tg });
      }
      const written: string[] = [];
      let bytes = 0;
      const totalEntries = items.length + (req.into !== undefined ? 1 : 0);
      let totalBytes = 0;
      for (const it of items) {
        const e = entry(it.bodyFrom ?? it.entryId);
        if (e.type === 'file' && it.linkTo === undefined) totalBytes += e.size;
      }
      const report = () => onProgress?.({ entries: written.length, totalEntries, bytes, totalBytes });
      // The totals at once: a big extraction shows what it will write before its first file.
      report();
      // Conflicts first: nothing is written when something exists and overwrite was not asked.
      const existing: string[] = [];
      if (req.into !== undefined) {
        const s = await exists(join(root, req.into));
        if (s && !s.isDirectory()) existing.push(req.into);
      }
      for (const it of items) {
        const s = await exists(join(root, it.rel));
        if (s && !(s.isDirectory() && entry(it.entryId).type === 'dir')) existing.push(it.rel);
      }
      if (existing.length > 0 && !req.overwrite) return { kind: 'conflict', existing };

      /** What was written whole, for the hard links to it. */
      const done = new Set<string>();
      const wrote = (rel: string) => {
        written.push(rel);
        done.add(rel);
        report();
      };
      const prepare = async (rel: string): Promise<string | undefined> => {
        const dest = join(root, rel);
        if (!dest.startsWith(root + sep)) {
          skip(rel, 'outside the current directory', 'unsafe name');
          return undefined;
        }
        try {
          await assertNoSymlinkParents(root, dest);
        } catch (e) {
          skip(rel, (e as Error).message, 'symlinked parent');
          return undefined;
        }
        const s = await exists(dest);
        if (s?.isDirectory()) {
          skip(rel, 'a directory is in the way', 'in the way');
          return undefined;
        }
        if (s) await unlink(dest); // replace, never write through an existing symlink
        return dest;
      };
      /** The image's times (seconds) of what was written, by destination: set last (directories after their contents). */
      const times = new Map<string, number>();
      const dirs: { dest: string; e: LayerEntry }[] = [];
      const chown = canChown();
      /** Files being written: removed if the extraction stops before they are whole. */
      const unfinished = new Set<FileWriter>();
      /** Bytes of bodies not yet whole: a cancelled extraction does not count them as written. */
      const partialBytes = new Map<object, () => number>();
      const partial = () => [...partialBytes.values()].reduce((n, f) => n + f(), 0);

      try {
        // 0. the new directory that receives a whole filesystem
        if (req.into !== undefined) {
          const dest = join(root, req.into);
          const s = await exists(dest);
          if (s && !s.isDirectory()) await unlink(dest); // overwrite was asked
          await mkdir(dest, { recursive: true, mode: 0o755 });
          wrote(`${req.into}/`);
        }
        // 1. directories, parents first, writable by us until their contents are in
        for (const it of items) {
          const e = entry(it.entryId);
          if (e.type !== 'dir') continue;
          signal?.throwIfAborted();
          const dest = join(root, it.rel);
          try {
            await assertNoSymlinkParents(root, dest);
            const s = await exists(dest);
            if (s && !s.isDirectory()) {
              skip(it.rel, 'a file is in the way', 'in the way');
              continue;
            }
            await mkdir(dest, { recursive: true, mode: (e.mode & 0o777) | 0o700 });
            dirs.push({ dest, e });
            wrote(`${it.rel}/`);
          } catch (err) {
            skip(it.rel, (err as Error).message, (err as Error).message.endsWith('is a symlink') ? 'symlinked parent' : 'error');
          }
        }
        // 2. file bodies, layer by layer, from the layer that wrote each, streamed to disk; the
        // times of directories and symlinks come from their layers' headers on the way.
        const byLayer = new Map<number, Map<number, { items: Item[]; want: Want }>>();
        const need = (g: number, it: Item, want: Want) => {
          const { layer: li, local } = tree.originOf(g);
          let m = byLayer.get(li);
          if (!m) byLayer.set(li, (m = new Map()));
          const cur = m.get(local);
          m.set(local, { items: [...(cur?.items ?? []), it], want: cur?.want === 'body' || want === 'body' ? 'body' : 'time' });
        };
        for (const it of items) {
          const e = entry(it.entryId);
          if (e.type === 'file' || (e.type === 'hardlink' && it.bodyFrom !== undefined)) need(it.bodyFrom ?? it.entryId, it, 'body');
          else if (e.type === 'dir' || e.type === 'symlink') need(it.entryId, it, 'time');
        }
        for (const [li, m] of byLayer) {
          const access = layers[li];
          if (!access) throw new Error(`layer ${li} is not available`);
          const wanted = new Map([...m].map(([local, w]) => [local, w.want] as const));
          await readMembers(
            access.blob,
            access.contents,
            wanted,
            async (local, mtime) => {
              const w = m.get(local)!;
              const bodies: Item[] = [];
              for (const it of w.items) {
                const e = entry(it.entryId);
                if (e.type === 'dir' || e.type === 'symlink') {
                  if (Number.isFinite(mtime)) times.set(join(root, it.rel), mtime);
                } else bodies.push(it);
              }
              return bodies.length ? openBodies(bodies, mtime) : undefined;
            },
            signal,
          );
        }
        // 3. hard links to files of this extraction, as links (never through a symlink)
        for (const it of items) {
          if (it.linkTo === undefined) continue;
          signal?.throwIfAborted();
          const target = join(root, it.linkTo);
          const t = await exists(target);
          if (!t?.isFile() || !done.has(it.linkTo) || !(await assertNoSymlinkParents(root, target).then(() => true, () => false))) {
            skip(it.rel, `its target ${it.linkTo} was not written`, 'missing link target');
            continue;
          }
          const dest = await prepare(it.rel);
          if (!dest) continue;
          await mkdir(dirname(dest), { recursive: true });
          await link(target, dest);
          wrote(it.rel);
        }
        // 4. symlinks last, so no file above was written through one of them; each target is
        // resolved through the symlinks of this extraction and those already on disk.
        const pending = new Map<string, string>();
        for (const it of items) {
          const e = entry(it.entryId);
          if (e.type === 'symlink') pending.set(it.rel, e.linkTarget ?? '');
        }
        const lookup: SymlinkLookup = (rel) => {
          const p = pending.get(rel);
          if (p !== undefined) return p;
          try {
            return lstatSync(join(root, rel)).isSymbolicLink() ? readlinkSync(join(root, rel)) : undefined;
          } catch {
            return undefined;
          }
        };
        // Relative to the destination when the whole filesystem goes into a directory of its own.
        const inside = (rel: string, target: string) =>
          req.into === undefined ? symlinkStaysInside(rel, target, lookup) : symlinkStaysInside(rel.slice(into.length), target, (r) => lookup(into + r));
        for (const it of items) {
          const e = entry(it.entryId);
          if (e.type === 'symlink') {
            signal?.throwIfAborted();
            const target = e.linkTarget ?? '';
            if (!inside(it.rel, target)) {
              skip(it.rel, `symlink to ${target} leaves the current directory`, 'escaping symlink');
              continue;
            }
            const dest = await prepare(it.rel);
            if (!dest) continue;
            await symlink(target, dest);
            if (chown) await lchown(dest, e.uid, e.gid).catch(() => undefined);
            const t = times.get(dest);
            if (t !== undefined) await lutimes(dest, t, t).catch(() => undefined);
            wrote(it.rel);
          } else if (e.type !== 'file' && e.type !== 'dir' && e.type !== 'hardlink') {
            skip(it.rel, e.type, e.type === 'fifo' ? 'fifo' : 'device');
          }
        }
        // 5. directories last, deepest first: the image's mode (now that their contents are
        // in), owner and time (nothing is created in them after this).
        for (const { dest, e } of dirs.reverse()) {
          if (chown) await lchown(dest, e.uid, e.gid).catch(() => undefined);
          await chmod(dest, e.mode & DIR_MODE);
          const t = times.get(dest);
          if (t !== undefined) await utimes(dest, t, t);
        }
      } catch (e) {
        for (const w of unfinished) await w.abort();
        if (signal?.aborted) return { kind: 'cancelled', written, bytes: bytes - partial() };
        throw e;
      }
      return { kind: 'done', written, skipped, bytes };

      /**
       * Opens every destination of one body (a file, and the copies of hard links to it whose
       * target is not extracted) and writes the pieces to each as they come; each is made whole
       * or removed. Bytes count once per destination, as written.
       */
      async function openBodies(targets: readonly Item[], mtime: number): Promise<BodyWriter> {
        const open: { it: Item; dest: string; w: FileWriter }[] = [];
        for (const it of targets) {
          signal?.throwIfAborted();
          const dest = await prepare(it.rel);
          if (!dest) continue;
          const e = entry(it.bodyFrom ?? it.entryId);
          await mkdir(dirname(dest), { recursive: true });
          const w = await openFile(dest, e.mode & FILE_MODE);
          unfinished.add(w);
          open.push({ it, dest, w });
        }
        let mine = 0;
        partialBytes.set(open, () => mine);
        return {
          async write(piece) {
            signal?.throwIfAborted();
            for (const o of open) await o.w.write(piece);
            bytes += piece.length * open.length;
            mine += piece.length * open.length;
            report();
          },
          async close() {
            partialBytes.delete(open);
            for (const o of open) {
              const e = entry(o.it.bodyFrom ?? o.it.entryId);
              await o.w.close();
              unfinished.delete(o.w);
              if (chown) await lchown(o.dest, e.uid, e.gid).catch(() => undefined);
              await chmod(o.dest, e.mode & FILE_MODE);
              if (Number.isFinite(mtime)) await utimes(o.dest, mtime, mtime);
              wrote(o.it.rel);
            }
          },
        };
      }
    },
  };
}

/** A file being written: whole once closed; `abort` (or a failed write) removes it. */
type FileWriter = { write(piece: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> };

/** Creates a file that did not exist (`wx`: never through a symlink put there meanwhile) for writing in pieces. */
async function openFile(dest: string, mode: number): Promise<FileWriter> {
  const fh = await open(dest, 'wx', mode);
  let done = false;
  const abort = async () => {
    if (done) return;
    done = true;
    await fh.close().catch(() => undefined);
    await unlink(dest).catch(() => undefined);
  };
  return {
    async write(piece) {
      try {
        let at = 0;
        while (at < piece.length) at += (await fh.write(piece, at, piece.length - at)).bytesWritten;
      } catch (e) {
        await abort();
        throw e;
      }
    },
    async close() {
      if (done) return;
      done = true;
      await fh.close();
    },
    abort,
  };
}
