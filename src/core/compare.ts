import { BugError } from '../errors/index.js';
import type { LayerEntry } from './model.js';

/** How a later entry at a path relates to an earlier one. */
export type EntryDelta = 'same' | 'metadata' | 'content';

/**
 * Compares two entries at the same path: `content` when type, content or link target differ
 * (file content by size, then the content keys `keyA` and `keyB`), `metadata` when only mode,
 * uid or gid differ, `same` otherwise. Regular files of equal non-zero size must both have a key
 * (the loader computes one for every entry `selectHashGroups` names); a missing one is a bug,
 * never guessed.
 */
export function compareEntries(a: LayerEntry, b: LayerEntry, keyA: string | undefined, keyB: string | undefined): EntryDelta {
  let contentSame: boolean;
  if (a.type !== b.type) contentSame = false;
  else {
    switch (a.type) {
      case 'file':
        if (a.size !== b.size) contentSame = false;
        else if (a.size === 0) contentSame = true;
        else {
          if (keyA === undefined || keyB === undefined) throw new BugError(`no content hash for /${a.path} (size ${a.size})`);
          contentSame = keyA === keyB;
        }
        break;
      case 'symlink':
      case 'hardlink':
        contentSame = a.linkTarget === b.linkTarget;
        break;
      case 'char-device':
      case 'block-device':
        contentSame = a.devMajor === b.devMajor && a.devMinor === b.devMinor;
        break;
      default:
        contentSame = true;
    }
  }
  if (!contentSame) return 'content';
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid ? 'same' : 'metadata';
}
