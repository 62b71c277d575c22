import { PACKAGE_LIMITS } from './model.js';
import { cleanJoin, decodeText, forEachLine, isPlainField, parseLines, parseStanzas } from './text.js';

/**
 * Readers for installed Python distributions (PyPA "Recording installed projects"): a
 * `NAME-VERSION.dist-info` directory with `METADATA` (core metadata headers) and `RECORD` (CSV:
 * path, hash, size; paths relative to the directory that holds the dist-info), or a legacy
 * `NAME.egg-info` directory with `PKG-INFO` and `installed-files.txt` (paths relative to the
 * egg-info directory), or an `.egg-info` file holding PKG-INFO itself.
 */

const METADATA_FIELDS = ['name', 'version'];

/** Name and version from core metadata headers, or undefined when either is missing or malformed. */
export function parseCoreMetadata(bytes: Uint8Array): { name: string; version: string } | undefined {
  const stanzas = parseStanzas(decodeText(bytes), METADATA_FIELDS, { stopAtFirst: true });
  if (typeof stanzas === 'string' || stanzas.length === 0) return undefined;
  const name = stanzas[0]!.get('name');
  const version = stanzas[0]!.get('version');
  if (name === undefined || version === undefined) return undefined;
  if (!isPlainField(name, PACKAGE_LIMITS.nameLength) || !isPlainField(version, PACKAGE_LIMITS.versionLength)) return undefined;
  return { name, version };
}

/** PEP 503's normalized form of a project name: lower case, runs of `-`, `_` and `.` as one `-`. */
export function normalizePythonName(name: string): string {
  let out = '';
  let sep = false;
  for (const ch of name.toLowerCase()) {
    if (ch === '-' || ch === '_' || ch === '.') sep = true;
    else {
      if (sep && out !== '') out += '-';
      sep = false;
      out += ch;
    }
  }
  return out;
}

/**
 * The paths of a RECORD file, joined to `base` (the directory holding the dist-info) and
 * cleaned; paths that climb above the root are dropped. The first CSV field is read as
 * Python's csv module writes it: quoted when it holds a comma or quote, `""` for a quote.
 */
export function parseRecord(bytes: Uint8Array, base: string): string[] {
  const out: string[] = [];
  forEachLine(decodeText(bytes), (line) => {
    if (line === '') return;
    let field: string;
    if (line.startsWith('"')) {
      field = '';
      let i = 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return; // unterminated quote: not a path
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else break;
      }
    } else {
      const comma = line.indexOf(',');
      field = comma < 0 ? line : line.slice(0, comma);
    }
    const p = field === '' ? undefined : cleanJoin(base, field);
    if (p !== undefined) out.push(p);
  });
  return out;
}

/** The paths of an egg-info's `installed-files.txt`, one per line, relative to the egg-info directory. */
export function parseInstalledFiles(bytes: Uint8Array, eggInfoDir: string): string[] {
  return parseLines(decodeText(bytes), eggInfoDir);
}
