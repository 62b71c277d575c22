import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { buildDockerArchive, buildTar, tmpDir, type TarItem } from './image-files.js';

/**
 * Image layers from a root filesystem that real tools change step by step (`dpkg --root`,
 * `rpm --root`, `npm install`, `pip install`): each `commit` compares the tree with the one the
 * last commit saw and becomes a layer tar holding what was added or changed (with its parent
 * directories), a whiteout for each topmost path removed, and hard links as tar links — what a
 * container builder commits. The same layers make a docker-archive, so a fixture built here
 * can be loaded through the whole program.
 */

/** One committed layer: its tar and the bodies of its regular files by (cleaned) path. */
export type BuiltLayer = {
  readonly command: string;
  readonly tar: Buffer;
  readonly bodies: ReadonlyMap<string, Buffer>;
};

type Snap = {
  readonly type: TarItem['type'];
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly link?: string;
  readonly rdev: number;
  readonly ino: string;
  readonly nlink: number;
  readonly mtimeMs: number;
  readonly hash?: string;
};

function typeOf(st: Stats): TarItem['type'] | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return undefined; // sockets are not archived
}

/** Every path under `root` (relative, sorted, parents first) with what a layer diff compares. */
function snapshot(root: string, before: ReadonlyMap<string, Snap>): Map<string, Snap> {
  const out = new Map<string, Snap>();
  const walk = (rel: string) => {
    const names = readdirSync(rel === '' ? root : path.join(root, rel)).sort();
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(root, r);
      const st = lstatSync(abs);
      const type = typeOf(st);
      if (!type) continue;
      const ino = `${st.dev}:${st.ino}`;
      const old = before.get(r);
      let hash: string | undefined;
      if (type === 'file') {
        // An unchanged inode, size and mtime keeps its hash: a large root is hashed once.
        hash = old && old.ino === ino && old.size === st.size && old.mtimeMs === st.mtimeMs ? old.hash : createHash('sha256').update(readFileSync(abs)).digest('hex');
      }
      out.set(r, {
        type,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        size: type === 'file' ? st.size : 0,
        link: type === 'symlink' ? readlinkSync(abs) : undefined,
        rdev: st.rdev,
        ino,
        nlink: st.nlink,
        mtimeMs: st.mtimeMs,
        hash,
      });
      if (type === 'directory') walk(r);
    }
  };
  walk('');
  return out;
}

const changed = (a: Snap, b: Snap) =>
  a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size || a.link !== b.link || a.rdev !== b.rdev || a.hash !== b.hash;

/** A root filesystem in a temporary directory, committed into layers. */
export class LayerTrees {
  readonly root: string;
  readonly layers: BuiltLayer[] = [];
  private prev = new Map<string, Snap>();

  constructor(root = tmpDir('layer-trees-')) {
    this.root = root;
  }

  /** Commits what changed under the root since the last commit as a new layer. */
  async commit(command: string): Promise<BuiltLayer> {
    const cur = snapshot(this.root, this.prev);
    const include = new Set<string>();
    for (const [p, s] of cur) {
      const old = this.prev.get(p);
      if (old && !changed(old, s)) continue;
      include.add(p);
      for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) include.add(d);
    }
    const whiteouts: string[] = [];
    for (const p of this.prev.keys()) {
      const parent = path.posix.dirname(p);
      const parentStays = parent === '.' || (cur.get(parent)?.type === 'directory' && this.prev.get(parent)?.type === 'directory');
      // A path gone from a directory that stays: a whiteout (below a removed or replaced
      // directory, the directory's own change hides it).
      if (parentStays && !cur.has(p)) whiteouts.push(p);
    }
    const items: TarItem[] = [];
    const bodies = new Map<string, Buffer>();
    const firstOfInode = new Map<string, string>();
    for (const p of [...include, ...whiteouts.map((w) => `\0${w}`)].sort()) {
      if (p.startsWith('\0')) {
        const w = p.slice(1);
        const dir = path.posix.dirname(w);
        items.push({ name: dir === '.' ? `.wh.${path.posix.basename(w)}` : `${dir}/.wh.${path.posix.basename(w)}`, body: '' });
        continue;
      }
      const s = cur.get(p)!;
      const base = { mode: s.mode, uid: s.uid, gid: s.gid };
      switch (s.type) {
        case 'file': {
          const first = s.nlink > 1 ? firstOfInode.get(s.ino) : undefined;
          if (first !== undefined) {
            items.push({ name: p, type: 'link', linkname: first, ...base });
            break;
          }
          if (s.nlink > 1) firstOfInode.set(s.ino, p);
          const body = readFileSync(path.join(this.root, p));
          bodies.set(p, body);
          items.push({ name: p, type: 'file', body, ...base });
          break;
        }
        case 'directory':
          items.push({ name: `${p}/`, type: 'directory', ...base });
          break;
        case 'symlink':
          items.push({ name: p, type: 'symlink', linkname: s.link, ...base });
          break;
        case 'character-device':
        case 'block-device':
          items.push({ name: p, type: s.type, devmajor: Math.floor(s.rdev / 256) & 0xfff, devminor: (s.rdev & 0xff) | (Math.floor(s.rdev / 4096) & 0xfff00), ...base });
          break;
        default:
          items.push({ name: p, type: s.type, ...base });
      }
    }
    this.prev = cur;
    const layer: BuiltLayer = { command, tar: await buildTar(items), bodies };
    this.layers.push(layer);
    return layer;
  }

  /** The committed layers as a docker-archive tarball tagged `tag`, one history step per layer. */
  async image(tag = 'packages:test'): Promise<Buffer> {
    return buildDockerArchive([{ tags: [tag], layers: this.layers.map((l) => l.tar), history: this.layers.map((l) => `/bin/sh -c ${l.command}`) }]);
  }
}
