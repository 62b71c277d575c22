import type { EntryType } from '../core/index.js';

const TYPE_CHAR: Record<EntryType, string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  'char-device': 'c',
  'block-device': 'b',
  fifo: 'p',
};

/**
 * An `ls -l` permission string: `drwxr-xr-x`, `-rwsr-xr-x` (setuid), `-rwSr--r--` (setuid
 * without execute), `drwxrwxrwt` (sticky), `drwxrwxrwT`. Hard links get `h` (tar's own kind).
 */
export function formatMode(type: EntryType, mode: number): string {
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const special = (exec: number, flag: number, on: string, off: string, plain: string) => {
    if (mode & flag) return mode & exec ? on : off;
    return mode & exec ? plain : '-';
  };
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's', 'S', 'x') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's', 'S', 'x') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't', 'T', 'x')
  );
}
