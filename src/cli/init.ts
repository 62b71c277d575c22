import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors/index.js';
import { flagOf, parseOptions, stringOf, type OptionSpec } from './options.js';
import { writeFileAtomic } from './output-file.js';

/** `inspect-tui init`: writes a commented `.dive-ci` with dive's rules and path rules for a kind of project. */

export const FLAVOURS = ['node', 'python', 'java', 'go', 'generic'] as const;
export type Flavour = (typeof FLAVOURS)[number];

/** `init`'s option table. */
export const INIT_OPTIONS: readonly OptionSpec[] = [
  { name: 'flavour', value: { label: 'FLAVOUR', kind: 'choice', choices: FLAVOURS }, description: 'the kind of project the path rules are for (default generic)' },
  { name: 'flavor', value: { label: 'FLAVOUR', kind: 'choice', choices: FLAVOURS }, description: 'the same as --flavour', hidden: true },
  { name: 'force', description: 'replace an existing .dive-ci' },
  { name: 'help', alias: 'h', description: 'this help' },
];

type Lists = { ignore: string[]; block: string[]; denyWaste: string[]; maxFileSize: string; note: string };

const COMMON_BLOCK = ['**/.git/**', '**/*.pem', '**/id_rsa', '**/id_ed25519', '**/.env'];
const DOCS = ['/usr/share/doc/**', '/usr/share/man/**', '/usr/share/info/**'];
const OS_CACHES = ['/var/cache/apt/**', '/var/lib/apt/lists/**', '/var/cache/apk/**', '/var/cache/dnf/**', '/var/cache/yum/**'];

const LISTS: Readonly<Record<Flavour, Lists>> = {
  node: {
    note: 'a Node.js image: npm and yarn caches, and node_modules written twice (a COPY . after npm ci)',
    ignore: DOCS,
    block: [...COMMON_BLOCK, '**/.npmrc'],
    denyWaste: ['**/node_modules/**', '/root/.npm/**', '/usr/local/share/.cache/yarn/**', ...OS_CACHES],
    maxFileSize: '100MB',
  },
  python: {
    note: "a Python image: pip's cache, bytecode and site-packages rewritten by a later layer",
    ignore: DOCS,
    block: [...COMMON_BLOCK, '**/.pypirc'],
    denyWaste: ['/root/.cache/pip/**', '**/__pycache__/**', '**/site-packages/**', ...OS_CACHES],
    maxFileSize: '100MB',
  },
  java: {
    note: "a Java image: Maven's and Gradle's caches, and jars copied twice",
    ignore: DOCS,
    block: [...COMMON_BLOCK, '**/.m2/settings.xml', '**/.gradle/gradle.properties'],
    denyWaste: ['/root/.m2/**', '/root/.gradle/**', '**/*.jar', ...OS_CACHES],
    maxFileSize: '200MB',
  },
  go: {
    note: "a Go image: the module and build caches (a multi-stage build leaves none)",
    ignore: DOCS,
    block: [...COMMON_BLOCK, '**/.netrc'],
    denyWaste: ['/root/go/pkg/mod/**', '/go/pkg/mod/**', '/root/.cache/go-build/**', ...OS_CACHES],
    maxFileSize: '200MB',
  },
  generic: {
    note: "any image: package managers' caches and secrets that should never ship",
    ignore: DOCS,
    block: COMMON_BLOCK,
    denyWaste: ['/root/.cache/**', '/tmp/**', ...OS_CACHES],
    maxFileSize: '100MB',
  },
};

const yamlList = (items: readonly string[]) => items.map((i) => `    - '${i}'`).join('\n');

/** The text of `.dive-ci` for a flavour: valid YAML that `parseCiFile` accepts, every key commented. */
export function ciConfigText(flavour: Flavour): string {
  const l = LISTS[flavour];
  return `# CI gate for container images (inspect-tui --ci IMAGE, or CI=true inspect-tui IMAGE).
# Written by \`inspect-tui init --flavour ${flavour}\` for ${l.note}.
# Exit codes: 0 every rule passed, 1 a rule failed, 2 the image could not be read.

# dive's rules, with dive's names and meaning (dive reads this section too).
# A value of "disabled" turns a rule off.
rules:
  # Fail when the efficiency score (0..1) is below this. 1 means no byte is stored twice
  # or deleted by a later layer.
  lowestEfficiency: 0.9
  # Fail when the wasted bytes (every copy of a file written more than once, and files
  # deleted by a later layer) exceed this size: 20MB, 1.5GiB.
  highestWastedBytes: disabled
  # Fail when the wasted bytes exceed this fraction of the bytes the layers above the base add.
  highestUserWastedPercent: 0.1

# Path rules (inspect-tui). Globs match absolute paths in the image: ** crosses directories,
# * stays within one; a directory that matches takes everything under it.
paths:
  # Left out of every figure and rule above (the report says how much was left out).
  ignore:
${yamlList(l.ignore)}
  # Fail when any of these is present in the final filesystem.
  block:
${yamlList(l.block)}
  # Fail when any wasted bytes fall under these.
  denyWaste:
${yamlList(l.denyWaste)}
  # Fail when a file in the final filesystem is larger than this.
  maxFileSize: ${l.maxFileSize}
  # Fail when the image has more layers than this.
  maxLayerCount: 30
`;
}

/** The options `init` was given. */
export type InitOptions = { readonly flavour: Flavour; readonly force: boolean; readonly help: boolean };

/** Parses `init`'s arguments (after the word `init`) from `INIT_OPTIONS`. Throws UsageError with one line. */
export function parseInitCli(argv: readonly string[]): InitOptions {
  const { values: v, operands } = parseOptions(argv, INIT_OPTIONS, 'init: ', 'see inspect-tui init --help');
  if (operands.length > 0) throw new UsageError(`init: unexpected argument "${operands[0]}": init takes options only (see inspect-tui init --help)`);
  return { flavour: (stringOf(v, 'flavour') ?? stringOf(v, 'flavor') ?? 'generic') as Flavour, force: flagOf(v, 'force'), help: flagOf(v, 'help') };
}

/** Writes `.dive-ci` for `o.flavour` in `io.cwd`; returns the exit code. Throws UsageError for an existing file (without --force). */
export async function runInit(o: InitOptions, io: { cwd: string; stdout: Writable }): Promise<number> {
  const flavour = o.flavour;
  const file = path.join(io.cwd, '.dive-ci');
  const text = ciConfigText(flavour);
  if (o.force) await writeFileAtomic(file, text, 'init: .dive-ci');
  else {
    // 'wx': never replace a file, even one that appears between a check and the write
    const fh = await open(file, 'wx', 0o644).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') throw new UsageError('init: .dive-ci already exists (--force replaces it)', { cause: e });
      throw new UsageError(`init: .dive-ci: cannot write the file (${e.code === 'EACCES' ? 'permission denied' : e.message})`, { cause: e });
    });
    try {
      await fh.writeFile(text);
    } finally {
      await fh.close();
    }
  }
  io.stdout.write(`wrote .dive-ci (${flavour}): run inspect-tui --ci IMAGE\n`);
  return 0;
}
