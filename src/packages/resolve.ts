import type { ImageIndex } from '../core/index.js';
import { PACKAGE_LIMITS } from './model.js';
import { cleanJoin } from './text.js';

/**
 * Maps the paths a database lists to path ids of the index, as one layer's merged view shows
 * them. A listed path is taken as it is when the view has it; otherwise its directory is
 * resolved through symbolic links (Debian lists `/bin/ls`, which a merged-/usr image holds at
 * `usr/bin/ls` behind the link `bin -> usr/bin`). Directories resolve per directory and are
 * remembered, so a list of thousands of paths costs about one map lookup each.
 */
export class ListedPathResolver {
  private readonly dirs = new Map<string, string | null>();
  private readonly view: Int32Array;

  constructor(
    private readonly index: ImageIndex,
    readonly layer: number,
  ) {
    this.view = index.merged.view(layer);
  }

  /**
   * The path id a listed (cleaned) path stands for, or -1 when it is a directory at this layer
   * or no layer of the image has it. A path that exists in another layer but not in this one
   * keeps its own id (a later layer may write it).
   */
  resolve(p: string): number {
    const { paths, entries } = this.index;
    const id = paths.find(p);
    if (id !== undefined) {
      const g = this.view[id]!;
      if (g >= 0) return entries[g]!.type === 'dir' ? -1 : id;
    }
    const slash = p.lastIndexOf('/');
    if (slash > 0) {
      const dir = p.slice(0, slash);
      const real = this.resolveDir(dir);
      if (real !== null && real !== dir) {
        const base = p.slice(slash + 1);
        const id2 = paths.find(real === '' ? base : `${real}/${base}`);
        if (id2 !== undefined) {
          const g = this.view[id2]!;
          if (g >= 0) return entries[g]!.type === 'dir' ? -1 : id2;
        }
      }
    }
    return id ?? -1;
  }

  /** The directory a path names once every symbolic link in it is followed; null when it does not exist here. */
  private resolveDir(d: string): string | null {
    const known = this.dirs.get(d);
    if (known !== undefined) return known;
    const { paths, entries } = this.index;
    let rest = d.split('/');
    let i = 0;
    let cur = '';
    let hops = 0;
    let out: string | null = null;
    for (;;) {
      if (i >= rest.length) {
        out = cur;
        break;
      }
      const next = cur === '' ? rest[i]! : `${cur}/${rest[i]!}`;
      i++;
      const id = paths.find(next);
      const g = id === undefined ? -1 : this.view[id]!;
      if (g < 0) break;
      const e = entries[g]!;
      if (e.type === 'symlink' && e.linkTarget !== undefined) {
        if (++hops > PACKAGE_LIMITS.symlinkHops) break;
        // A link that climbs above the root stops at the root, as the kernel does.
        const t = cleanJoin(e.linkTarget.startsWith('/') ? '' : cur, e.linkTarget) ?? '';
        rest = [...(t === '' ? [] : t.split('/')), ...rest.slice(i)];
        i = 0;
        cur = '';
      } else if (e.type === 'dir') cur = next;
      else break;
    }
    this.dirs.set(d, out);
    return out;
  }
}
