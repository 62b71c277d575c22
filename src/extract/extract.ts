import { lstatSync, readlinkSync } from 'node:fs';
import { lstat, mkdir, symlink, unlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LayerAccess } from '../archive/index.js';
import type { Analysis } from '../core/index.js';
import type { ExtractOptions, ExtractRequest, ExtractResult, Extractor, SkipKind, Skipped } from './types.js';
import { readBodies } from './read-bodies.js';

export type { LayerAccess };

type Item = { readonly rel: string; readonly entryId: number; readonly bodyFrom?: number };

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

/**
 * Extracts the subtree at a path, as the merged filesystem after a layer has it, into `cwd`:
 * directories, regular files (from the layer that wrote each one), hard links (as copies),
 * and symlinks that stay inside `cwd`. Names with `..` or absolute names, escaping symlinks,
 * devices and FIFOs are skipped and reported. Nothing is overwritten unless the request says
 * so; without it, existing destinations come back as a conflict and nothing is written.
 * setuid, setgid and sticky bits are dropped.
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
      const items: Item[] = [];
      const skipped: Skipped[] = [];
      const skip = (path: string, reason: string, kind: SkipKind) => void skipped.push({ path, reason, kind });
      tree.forSubtree(req.pathId, (x) => {
        if (x === 0) return; // the root itself has no entry
        const g = at(x);
        if (g < 0) return;
        const own = tree.pathOf(x).slice(prefix.length);
        if (!isSafeRelative(own)) return skip(own, 'unsafe name', 'unsafe name');
        const rel = into + own;
        const e = entry(g);
        if (e.type === 'hardlink') {
          const t = tree.find(e.linkTarget ?? '');
          const tg = t === undefined ? -1 : at(t);
          if (tg < 0 || entry(tg).type !== 'file') return skip(rel, 'hard link target missing', 'missing link target');
          items.push({ rel, entryId: g, bodyFrom: tg });
          return;
        }
        items.push({ rel, entryId: g });
      });
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

      const written: string[] = [];
      let bytes = 0;
      const totalEntries = items.length + (req.into !== undefined ? 1 : 0);
      let totalBytes = 0;
      for (const it of items) {
        const e = entry(it.bodyFrom ?? it.entryId);
        if (e.type === 'file') totalBytes += e.size;
      }
      const wrote = (rel: string, n = 0) => {
        written.push(rel);
        bytes += n;
        onProgress?.({ entries: written.length, totalEntries, bytes, totalBytes });
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

      try {
        // 0. the new directory that receives a whole filesystem
        if (req.into !== undefined) {
          const dest = join(root, req.into);
          const s = await exists(dest);
          if (s && !s.isDirectory()) await unlink(dest); // overwrite was asked
          await mkdir(dest, { recursive: true, mode: 0o755 });
          wrote(`${req.into}/`);
        }
        // 1. directories, parents first
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
            wrote(`${it.rel}/`);
          } catch (err) {
            skip(it.rel, (err as Error).message, (err as Error).message.endsWith('is a symlink') ? 'symlinked parent' : 'error');
          }
        }
        // 2. file bodies, layer by layer, from the layer that wrote each
        const byLayer = new Map<number, Map<number, Item[]>>();
        for (const it of items) {
          const e = entry(it.entryId);
          const src = it.bodyFrom ?? it.entryId;
          if (e.type !== 'file' && e.type !== 'hardlink') continue;
          const { layer: li, local } = tree.originOf(src);
          let m = byLayer.get(li);
          if (!m) byLayer.set(li, (m = new Map()));
          m.set(local, [...(m.get(local) ?? []), it]);
        }
        for (const [li, m] of byLayer) {
          const access = layers[li];
          if (!access) throw new Error(`layer ${li} is not available`);
          await readBodies(
            access.blob,
            access.contents,
            new Set(m.keys()),
            async (local, body) => {
              for (const it of m.get(local)!) {
                signal?.throwIfAborted();
                const dest = await prepare(it.rel);
                if (!dest) continue;
                const mode = entry(it.bodyFrom ?? it.entryId).mode & 0o777;
                await mkdir(dirname(dest), { recursive: true });
                await writeWhole(dest, body, mode, signal);
                wrote(it.rel, body.length);
              }
            },
            signal,
          );
        }
        // 3. symlinks last, so no file above was written through one of them; each target is
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
            wrote(it.rel);
          } else if (e.type !== 'file' && e.type !== 'dir' && e.type !== 'hardlink') {
            skip(it.rel, e.type, e.type === 'fifo' ? 'fifo' : 'device');
          }
        }
      } catch (e) {
        if (signal?.aborted) return { kind: 'cancelled', written, bytes };
        throw e;
      }
      return { kind: 'done', written, skipped, bytes };
    },
  };
}

/** Writes a file whole or not at all: a write that fails or is aborted removes what it began. */
async function writeWhole(dest: string, body: Buffer, mode: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await writeFile(dest, body, { mode, flag: 'wx', signal });
    await chmod(dest, mode);
  } catch (e) {
    await unlink(dest).catch(() => undefined);
    throw e;
  }
}
