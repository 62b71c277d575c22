import { PACKAGE_LIMITS } from './model.js';
import { cleanJoin, decodeText, forEachLine, isPlainField, parseLines, parseStanzas, type Stanza } from './text.js';

/**
 * Readers for dpkg's database (deb-control(5), dpkg(1) "FILES"): `var/lib/dpkg/status`, one
 * stanza per package; `var/lib/dpkg/info/<name>[:<arch>].list`, the paths each package
 * installed; `var/lib/dpkg/diversions`; and distroless's `var/lib/dpkg/status.d/<name>` (one
 * stanza) with `<name>.md5sums` (`<md5>  <path>` lines) as its file list.
 */

/** One package of a status file. */
export type DpkgRecord = {
  /** As `dpkg-query` prints `${binary:Package}` for a native package: `name`, or `name:arch` when `Multi-Arch: same`. */
  readonly name: string;
  readonly version: string;
  readonly arch: string;
};

/** Readers return either their records or the reason the file is malformed. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/**
 * dpkg's package-name rule (deb-control(5)): lower-case letters, digits, `+`, `-` and `.`, at
 * least two characters, starting with a letter or digit. The name builds the path of its file
 * list, so a name outside the rule (`../x`) makes the database malformed.
 */
function isDpkgName(s: string): boolean {
  if (s.length < 2 || s.length > PACKAGE_LIMITS.nameLength) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && (i === 0 || (c !== 0x2b && c !== 0x2d && c !== 0x2e))) return false;
  }
  return true;
}

/** Architecture names follow the same rule, without `+` and `.` needed but harmless. */
const isDpkgArch = (s: string) => s === 'all' || isDpkgName(s);

/** Package states that have files on disk (dpkg(1) "PACKAGE STATES"); not-installed and config-files have none. */
const PRESENT_STATES = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

const STATUS_FIELDS = ['package', 'status', 'version', 'architecture', 'multi-arch'];

function recordOf(s: Stanza, needStatus: boolean): Parsed<DpkgRecord | undefined> {
  const pkg = s.get('package');
  if (pkg === undefined) return bad('a record has no Package field');
  if (!isDpkgName(pkg)) return bad('a package name is not a valid dpkg name');
  const status = s.get('status');
  if (status !== undefined) {
    const words = status.split(' ');
    if (words.length !== 3) return bad(`package ${pkg} has a malformed Status field`);
    if (!PRESENT_STATES.has(words[2]!)) return ok(undefined);
  } else if (needStatus) return bad(`package ${pkg} has no Status field`);
  const version = s.get('version');
  if (version === undefined) return ok(undefined); // a package known to dpkg but never installed
  if (!isPlainField(version, PACKAGE_LIMITS.versionLength)) return bad(`package ${pkg} has a malformed Version field`);
  const arch = s.get('architecture') ?? '';
  if (arch !== '' && !isDpkgArch(arch)) return bad(`package ${pkg} has a malformed Architecture field`);
  const same = s.get('multi-arch') === 'same' && arch !== '' && arch !== 'all';
  return ok({ name: same ? `${pkg}:${arch}` : pkg, version, arch });
}

/**
 * The packages with files on disk in a status file (or a `status.d` file, whose stanzas may
 * lack a Status field: distroless writes none for installed packages).
 */
export function parseDpkgStatus(bytes: Uint8Array, opts: { statusD?: boolean } = {}): Parsed<DpkgRecord[]> {
  const stanzas = parseStanzas(decodeText(bytes), STATUS_FIELDS, { maxStanzas: PACKAGE_LIMITS.packages });
  if (typeof stanzas === 'string') return bad(stanzas);
  const out: DpkgRecord[] = [];
  for (const s of stanzas) {
    const r = recordOf(s, !opts.statusD);
    if (!r.ok) return r;
    if (r.value) out.push(r.value);
  }
  return ok(out);
}

/**
 * The paths of a `.list` file, cleaned (the leading `/` and the `/.` line dropped). Lines that
 * climb above the root are dropped too: they name no path of the image.
 */
export function parseDpkgList(bytes: Uint8Array): string[] {
  return parseLines(decodeText(bytes), '');
}

/** The paths of a `.md5sums` file: each line is a 32-digit digest, two spaces and a path relative to the root. */
export function parseMd5sums(bytes: Uint8Array): Parsed<string[]> {
  const out: string[] = [];
  let reason: string | undefined;
  let n = 0;
  forEachLine(decodeText(bytes), (line) => {
    n++;
    if (line === '') return true;
    const sp = line.indexOf(' ');
    let i = sp;
    while (i >= 0 && i < line.length && line.charCodeAt(i) === 0x20) i++;
    if (sp <= 0 || i >= line.length) {
      reason = `line ${n} is not "<digest>  <path>"`;
      return false;
    }
    const p = cleanJoin('', line.slice(i));
    if (p !== undefined) out.push(p);
    return true;
  });
  return reason === undefined ? ok(out) : bad(reason);
}

/** One diversion: files of packages other than `by` installed at `from` go to `to`. */
export type Diversion = { readonly from: string; readonly to: string; readonly by: string };

/** `var/lib/dpkg/diversions`: three lines per diversion (from, to, diverting package or `:` for a local one). */
export function parseDiversions(bytes: Uint8Array): Parsed<Diversion[]> {
  const lines: string[] = [];
  forEachLine(decodeText(bytes), (l) => {
    lines.push(l);
  });
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length % 3 !== 0) return bad('the diversions file is not made of three-line records');
  const out: Diversion[] = [];
  for (let i = 0; i < lines.length; i += 3) {
    const from = cleanJoin('', lines[i]!);
    const to = cleanJoin('', lines[i + 1]!);
    if (from === undefined || to === undefined) return bad(`diversion ${i / 3 + 1} names no path`);
    out.push({ from, to, by: lines[i + 2]! });
  }
  return ok(out);
}
