/** Entry conversion: a folded tar header as the `LayerEntry` the core reads. */
import type { LayerEntry } from '../core/index.js';
import { cleanPath, entryTypeOf, type RawHeader } from './tar-header.js';

/** Turns a header into an entry; undefined for the root and for flags that are no object. */
export function toEntry(h: RawHeader): LayerEntry | undefined {
  const type = entryTypeOf(h.typeflag, h.name);
  if (type === undefined) return undefined;
  const path = cleanPath(h.name);
  if (path === '') return undefined;
  // Every entry gets the same fields in the same order (one hidden class).
  const linkTarget = type === 'symlink' ? h.linkname : type === 'hardlink' ? cleanPath(h.linkname) : undefined;
  if (type === 'char-device' || type === 'block-device') {
    return { path, type, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, size: h.size, linkTarget, devMajor: h.devMajor, devMinor: h.devMinor };
  }
  return { path, type, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, size: h.size, linkTarget };
}
