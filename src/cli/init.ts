import { open } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors/index.js';
import { writeFileAtomic } from './output-file.js';

/** `inspect-tui init`: writes a commented `.dive-ci` with dive's rules and path rules for a kind of project. */

export const FLAVOURS = ['node', 'python', 'java', 'go', 'generic'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export const INIT_USAGE = `Usage: inspect-tui init [--flavour node|python|java|go|generic] [--force]

Writes .dive-ci in the working directory: dive's rules (dive reads them too) and path rules for
the kind of project. An existing .dive-ci is left alone unless --force is given.
`;

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

/** Runs `init` with its own arguments; returns the exit code. Throws UsageError for bad usage or an existing file. */
export async function runInit(argv: readonly string[], io: { cwd: string; stdout: Writable }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { flavour: { type: 'string' }, flavor: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new UsageError(`init: ${(e as Error).message.split('\n')[0]} (see inspect-tui init --help)`, { cause: e });
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(INIT_USAGE);
    return 0;
  }
  const flavour = (v.flavour ?? v.flavor ?? 'generic') as Flavour;
  if (!FLAVOURS.includes(flavour)) throw new UsageError(`init: --flavour "${flavour}" is not one of ${FLAVOURS.join(', ')}`);
  const file = path.join(io.cwd, '.dive-ci');
  const text = ciConfigText(flavour);
  if (v.force) await writeFileAtomic(file, text, 'init: .dive-ci');
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
