import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors/index.js';
import { escapeControl } from '../format/index.js';
import { CI_OPTIONS, GENERAL_OPTIONS, INSPECTOR_OPTIONS, NO_PACKAGES_OPTION, parseCli, type Options } from './args.js';
import { flagOf, parseOptions, stringOf, type OptionSpec } from './options.js';

/**
 * `inspect-tui build [options] ARGS…`, as `dive build`: builds an image with Docker, Podman or
 * Buildah, then opens it (the inspector; with --ci the gate). Our options come first; the first
 * word that is none of them starts the engine's arguments, which pass through untouched (so
 * `--root`, `-t`, `-f`, `--build-arg` mean what the engine says).
 *
 * The built image is read back from the engine's own store by the engine itself, as an
 * uncompressed docker-archive in a temporary directory:
 *
 * - docker: `docker save -o TMP ID` — the same CLI, configuration and context the build used
 *   (ssh:// contexts included, which the Docker API source does not speak);
 * - podman: `podman [storage flags] save --format docker-archive -o TMP ID`: the build may have
 *   used a private store (`--root`), which no Podman socket serves;
 * - buildah: `buildah [storage flags] push ID docker-archive:TMP`.
 *
 * docker-archive rather than oci-archive: its layers are stored uncompressed, so nothing is
 * compressed to be decompressed again (buildah push of a 2 MB image here: 0.18 s to
 * docker-archive, 0.24 s to oci-archive, which gzips every layer).
 */

export const ENGINES = ['docker', 'podman', 'buildah'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * `build`'s own options: the gate and its outputs, the inspector's display, and the engine. Left
 * out are the inspector's options that an engine's build also has (`--no-cache`, `--quiet`,
 * `--platform`): written after `build`, they are the engine's.
 */
export const BUILD_OPTIONS: readonly OptionSpec[] = [
  { name: 'engine', value: { label: 'ENGINE', kind: 'choice', choices: ENGINES }, description: 'the builder (default: the first of docker, podman, buildah on PATH)' },
  ...CI_OPTIONS,
  NO_PACKAGES_OPTION,
  ...INSPECTOR_OPTIONS,
  ...GENERAL_OPTIONS.filter((o) => o.name !== 'quiet'),
];

/** What `inspect-tui build` was asked. */
export type BuildOptions = {
  readonly help: boolean;
  readonly engine?: Engine;
  /** The engine's arguments, as given. */
  readonly engineArgs: readonly string[];
  /** Our options, as given (without --engine): parsed again as the inspector's once the image exists. */
  readonly inspectArgs: readonly string[];
  readonly ci: boolean;
  readonly json?: string;
};

/**
 * Splits `build`'s arguments into ours and the engine's: ours are leading options of
 * `BUILD_OPTIONS` (with their values); `--` or the first other word starts the engine's.
 */
export function splitBuildArgs(argv: readonly string[], specs: readonly OptionSpec[] = BUILD_OPTIONS): { ours: string[]; engine: string[] } {
  const ours: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    const spec = a.startsWith('--') ? specs.find((s) => a === `--${s.name}` || a.startsWith(`--${s.name}=`)) : specs.find((s) => s.alias !== undefined && (a === `-${s.alias}` || (s.value !== undefined && a.startsWith(`-${s.alias}`))));
    if (!spec) break;
    ours.push(a);
    const inline = a.includes('=') || (!a.startsWith('--') && a.length > 2);
    if (spec.value && !inline && i + 1 < argv.length) ours.push(argv[++i]!);
  }
  return { ours, engine: argv.slice(i) };
}

/** Parses `build`'s arguments. Throws UsageError with one line. */
export function parseBuildCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BuildOptions {
  const { ours, engine } = splitBuildArgs(argv);
  const { values: v } = parseOptions(ours, BUILD_OPTIONS, 'build: ', 'see inspect-tui build --help');
  const help = flagOf(v, 'help');
  const engineName = stringOf(v, 'engine') as Engine | undefined;
  const inspectArgs: string[] = [];
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === '--engine') i++;
    else if (!ours[i]!.startsWith('--engine=')) inspectArgs.push(ours[i]!);
  }
  if (help) return { help, engineArgs: engine, inspectArgs, ci: false };
  if (engine.length === 0) throw new UsageError('build: give the engine its arguments, at least the context directory: inspect-tui build [options] [-t NAME] DIR');
  // The inspector's own checks (rule values, report formats) before anything is built.
  const o = parseCli([...inspectArgs, 'docker-archive:-'], env);
  return { help, ...(engineName ? { engine: engineName } : {}), engineArgs: engine, inspectArgs, ci: o.ci, ...(o.json !== undefined ? { json: o.json } : {}) };
}

/** The first engine on PATH, in the order docker, podman, buildah. */
export function findEngine(env: Readonly<Record<string, string | undefined>>): Engine | undefined {
  return ENGINES.find((e) => spawnSync(e, ['--version'], { env: env as NodeJS.ProcessEnv, stdio: 'ignore', timeout: 10_000 }).status === 0);
}

/**
 * Global flags of Podman and Buildah that say where images are stored or which service holds
 * them, found among the engine's arguments (long forms, `--root X` or `--root=X`): the export
 * must read the store the build wrote. Docker's global flags cannot follow `build`.
 */
const STORE_FLAGS: Readonly<Record<Engine, readonly string[]>> = {
  docker: [],
  podman: ['root', 'runroot', 'storage-driver', 'storage-opt', 'imagestore', 'tmpdir', 'events-backend', 'cgroup-manager', 'url', 'connection', 'identity', 'remote'],
  buildah: ['root', 'runroot', 'storage-driver', 'storage-opt'],
};
const SWITCHES = new Set(['remote']);

/** The store flags among `args`, to repeat for the export. */
export function storeFlags(engine: Engine, args: readonly string[]): string[] {
  const names = STORE_FLAGS[engine];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const name = names.find((n) => a === `--${n}` || a.startsWith(`--${n}=`));
    if (!name) continue;
    out.push(a);
    if (!a.includes('=') && !SWITCHES.has(name) && i + 1 < args.length) out.push(args[++i]!);
  }
  return out;
}

/** The value of the engine's `--iidfile` or `-t`/`--tag` among its arguments (the last one given). */
function engineOption(args: readonly string[], long: string, short?: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === `--${long}` || (short && a === `-${short}`)) found = args[++i];
    else if (a.startsWith(`--${long}=`)) found = a.slice(long.length + 3);
    else if (short && a.startsWith(`-${short}`) && !a.startsWith('--') && a.length > 2) found = a.slice(2);
  }
  return found;
}

/** What a command line looks like in a message: words with spaces quoted, control characters escaped. */
const shown = (cmd: string, args: readonly string[]) => escapeControl([cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '));

/**
 * Runs an engine command with its output on our stderr (fd 2: our stdout stays the report's or
 * the JSON's). Resolves when it succeeded; rejects with one UsageError line when it could not
 * start or failed (its own messages are above it). A signal to us is passed on, and the run
 * ends as killed once the engine has stopped.
 */
function runEngine(cmd: string, args: readonly string[], opts: { env: Readonly<Record<string, string | undefined>>; cwd: string; stdin: 'inherit' | 'ignore' }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: [opts.stdin, 2, 2] });
    let signalled: NodeJS.Signals | undefined;
    const forward = (sig: NodeJS.Signals) => {
      signalled = sig;
      child.kill(sig);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(new UsageError(e.code === 'ENOENT' ? `build: ${cmd} is not installed (not found on PATH)` : `build: cannot run ${cmd}: ${e.message}`, { cause: e, subject: cmd, reason: 'cannot run' }));
    });
    child.on('close', (code, signal) => {
      done();
      if (code === 0) return resolve();
      const how = signal ? `was stopped by ${signal}` : `failed with exit code ${code}`;
      reject(new BuildStopped(signalled ?? signal ?? undefined, `build: ${shown(cmd, args.slice(0, 1))} ${how} (its messages are above)`));
    });
  });
}

/** The engine failed, or was stopped by a signal (`signal`: the run then exits as killed). */
export class BuildStopped extends UsageError {
  constructor(
    readonly signal: NodeJS.Signals | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The image `build` made: a docker-archive in a temporary directory, and how to name it. */
export type BuiltImage = {
  /** `docker-archive:TMP/image.tar`. */
  readonly reference: string;
  /** How reports and the inspector name it: the first `-t` of the build, else the image ID. */
  readonly label: string;
  /** Removes the temporary directory. */
  readonly remove: () => void;
};

/**
 * Builds with the engine and exports the result (see the file's comment). Throws UsageError
 * (BuildStopped when the engine failed); leaves no temporary file behind when it throws.
 */
export async function buildImage(o: BuildOptions, ctx: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string; readonly say: (line: string) => void }): Promise<BuiltImage> {
  const engine = o.engine ?? findEngine(ctx.env);
  if (!engine) throw new UsageError('build: no engine found: install docker, podman or buildah, or name one with --engine');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-build-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const given = engineOption(o.engineArgs, 'iidfile');
    const iidFile = given !== undefined ? path.resolve(ctx.cwd, given) : path.join(dir, 'iid');
    const sub = engine === 'buildah' ? 'bud' : 'build';
    ctx.say(`building with ${engine} ${sub}`);
    await runEngine(engine, [sub, ...(given === undefined ? ['--iidfile', iidFile] : []), ...o.engineArgs], { env: ctx.env, cwd: ctx.cwd, stdin: 'inherit' });
    let iid: string;
    try {
      iid = readFileSync(iidFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`build: ${engine} wrote no image ID to ${iidFile}`, { cause: e });
    }
    if (!/^(?:sha256:)?[0-9a-f]{64}$/.test(iid)) throw new UsageError(`build: ${engine} wrote "${escapeControl(iid.slice(0, 80))}" as the image ID, which is none`);
    const id = iid.startsWith('sha256:') ? iid : `sha256:${iid}`;
    const archive = path.join(dir, 'image.tar');
    const store = storeFlags(engine, o.engineArgs);
    ctx.say(`reading ${id} back from ${engine}`);
    const exportArgs =
      engine === 'docker' ? ['save', '-o', archive, id] : engine === 'podman' ? [...store, 'save', '--quiet', '--format', 'docker-archive', '-o', archive, id] : [...store, 'push', '--quiet', id, `docker-archive:${archive}`];
    await runEngine(engine, exportArgs, { env: ctx.env, cwd: ctx.cwd, stdin: 'ignore' });
    const tag = engineOption(o.engineArgs, 'tag', 't');
    return { reference: `docker-archive:${archive}`, label: tag ?? id, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** The inspector's options for the built image: ours as given, and the archive as the one image. */
export function inspectOptionsFor(o: BuildOptions, image: BuiltImage, env: Readonly<Record<string, string | undefined>>): Options {
  return parseCli([...o.inspectArgs, image.reference], env);
}
