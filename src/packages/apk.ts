import type { Parsed } from './dpkg.js';
import { PACKAGE_LIMITS } from './model.js';
import { cleanJoin, decodeText, forEachLine, isPlainField } from './text.js';

/**
 * Reader for apk's installed database, `lib/apk/db/installed` (apk-tools' "installed database
 * format"): one record per package, records separated by a blank line, each line `X:value`.
 * `P:` is the name, `V:` the version, `A:` the architecture, `F:` a directory relative to the
 * root and every following `R:` a file in it. Other letters (checksums, owners, modes) are not
 * read.
 */

/** One installed apk package and the files it installed. */
export type ApkRecord = { readonly name: string; readonly version: string; readonly files: readonly string[] };

/** The packages of an `installed` file, or why it is malformed. */
export function parseApkInstalled(bytes: Uint8Array): Parsed<ApkRecord[]> {
  const out: ApkRecord[] = [];
  let name: string | undefined;
  let version: string | undefined;
  let files: string[] = [];
  let dir: string | undefined;
  let started = false;
  let reason: string | undefined;
  let listed = 0;
  let lineNo = 0;
  const finish = (): boolean => {
    if (!started) return true;
    if (name === undefined || version === undefined) {
      reason = `the record ending at line ${lineNo} has no ${name === undefined ? 'P:' : 'V:'} line`;
      return false;
    }
    if (!isPlainField(name, PACKAGE_LIMITS.nameLength) || !isPlainField(version, PACKAGE_LIMITS.versionLength)) {
      reason = `the record ending at line ${lineNo} has a malformed name or version`;
      return false;
    }
    if (out.length >= PACKAGE_LIMITS.packages) {
      reason = `more than ${PACKAGE_LIMITS.packages} records`;
      return false;
    }
    out.push({ name, version, files });
    name = version = dir = undefined;
    files = [];
    started = false;
    return true;
  };
  forEachLine(decodeText(bytes), (line) => {
    lineNo++;
    if (line === '') return finish();
    if (line.length < 2 || line.charCodeAt(1) !== 0x3a /* : */) {
      reason = `line ${lineNo} is not "X:value"`;
      return false;
    }
    started = true;
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        name = value;
        break;
      case 'V':
        version = value;
        break;
      case 'F':
        dir = value === '' ? '' : cleanJoin('', value);
        if (dir === undefined) {
          reason = `line ${lineNo} names a directory above the root`;
          return false;
        }
        break;
      case 'R': {
        // A file before any F: line lies in the root.
        const p = value === '.' || value === '..' || value.includes('/') ? undefined : cleanJoin(dir ?? '', value);
        if (p === undefined) {
          reason = `line ${lineNo} is not a file name`;
          return false;
        }
        if (++listed > PACKAGE_LIMITS.listedPaths) {
          reason = `more than ${PACKAGE_LIMITS.listedPaths} files`;
          return false;
        }
        files.push(p);
        break;
      }
      default:
        break;
    }
    return true;
  });
  if (reason === undefined) finish();
  return reason === undefined ? { ok: true, value: out } : { ok: false, reason };
}
