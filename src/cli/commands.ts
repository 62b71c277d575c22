import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors/index.js';
import { parseReference, readsStdin, TRANSPORT_FORMS } from '../reference/index.js';
import { REPORT_FORMATS } from '../report/index.js';
import { INSPECT_OPTIONS, parseCli, type ImageOptions, type Options } from './args.js';
import { DIFF_OPTIONS, parseDiffCli, type DiffOptions } from './diff-args.js';
import { BUILD_OPTIONS, BuildStopped, ENGINES, parseBuildCli, type BuildOptions } from './build-command.js';
import { CACHE_ACTIONS, CACHE_OPTIONS, parseCacheCli, type CacheOptions } from './cache-command.js';
import { completionScript, SHELLS, type CompletionModel, type Shell } from './completion.js';
import { FLAVOURS, INIT_OPTIONS, parseInitCli, type InitOptions } from './init.js';
import { formatOptions, formatRows, parseOptions, wrap, type OperandSpec, type OptionSpec } from './options.js';
import { removeTempFiles } from './output-file.js';
import { loadSettings, readAllText } from './settings.js';
import type { TuiOptions } from './tui-options.js';

/**
 * The commands of `inspect-tui`, in one table: each with its usage, its option table, its parser
 * and its runner. `main` dispatches on it, `--help` and `help COMMAND` print from it, and its
 * option tables carry what a shell completion needs (name, alias, value kind, description).
 * A new command is a new row.
 */

/** The process as a command sees it. */
export type CommandContext = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable;
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable;
  readonly cwd: string;
  /** The tool's version (read when asked). */
  readonly version: () => string;
};

/** One row of the table. */
export type Command = {
  readonly name: string;
  /** How the command is written in the list of commands: `diff [options] OLD NEW`. */
  readonly synopsis: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What the command does, for its own help: one paragraph, wrapped when printed. */
  readonly about: string;
  readonly operands: readonly OperandSpec[];
  readonly options: readonly OptionSpec[];
  /** The words after the first operand are another program's (`build`'s engine arguments). */
  readonly passThrough?: boolean;
  /** Parses the arguments after the command's name, prints the help when asked, else runs. Returns the exit code. */
  readonly main: (argv: readonly string[], ctx: CommandContext) => Promise<number>;
};

/** A row from its parser and runner: the help is printed whenever the parsed options ask for it. */
function command<O extends { readonly help: boolean }>(
  row: Omit<Command, 'main'> & { readonly parse: (argv: readonly string[], env: CommandContext['env']) => O; readonly run: (o: O, ctx: CommandContext) => Promise<number> },
): Command {
  const { parse, run, ...rest } = row;
  const self: Command = {
    ...rest,
    main: async (argv, ctx) => {
      const o = parse(argv, ctx.env);
      if (o.help) {
        ctx.stdout.write(helpOf(self));
        return 0;
      }
      return run(o, ctx);
    },
  };
  return self;
}

/** A signal must not leave a half-written report: drop the temporary files (and run `more`), then exit as killed. */
function cleanUpOnSignals(...more: (() => void)[]): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTempFiles();
      for (const m of more) m();
      process.exit(code);
    });
  }
}

/** The inspector, loaded only when it is used (it brings React and Ink; the bundle keeps it in chunks of its own). */
async function inspector(): Promise<(o: TuiOptions) => Promise<number>> {
  return (await import('./run-tui.js')).runTui;
}

/** The display flags the inspector takes: `--theme`, `--no-mouse` (unset ones leave the config's). */
function display(o: ImageOptions): Pick<TuiOptions, 'theme' | 'mouse' | 'keyConfigPath'> {
  return { keyConfigPath: o.config, ...(o.theme ? { theme: o.theme } : {}), ...(o.noMouse ? { mouse: false } : {}) };
}

/** True when an image argument reads stdin (`-`, `docker-archive:-`); one that does not parse is reported when opened. */
function onStdin(arg: string): boolean {
  try {
    return readsStdin(parseReference(arg));
  } catch {
    return false;
  }
}

/** `inspect-tui [inspect] IMAGE…`: the inspector, or with --ci / --json the headless gate and exports. */
async function runInspect(opts: Options, ctx: CommandContext): Promise<number> {
  if (opts.version) {
    ctx.stdout.write(`${ctx.version()}\n`);
    return 0;
  }
  const password = opts.passwordStdin ? await readAllText(ctx.stdin) : undefined;
  const stdin = opts.images.some(onStdin) ? ctx.stdin : undefined;
  if (opts.ci || opts.json !== undefined) {
    cleanUpOnSignals();
    const { runCi } = await import('./run-ci.js');
    return runCi(opts, { stdout: ctx.stdout, stderr: ctx.stderr, stdin, cwd: ctx.cwd, env: ctx.env, password, version: ctx.version() });
  }
  // The inspector draws on a terminal; without one it would write escape codes into a pipe.
  if (!ctx.stdout.isTTY) throw new UsageError('the inspector needs a terminal: use --ci for the report, or --json FILE for the analysis');
  const { existsIn } = await import('./inputs.js');
  const { readDockerfiles } = await import('./dockerfile.js');
  const dockerfiles = await readDockerfiles(opts.dockerfile, ctx.cwd);
  const runTui = await inspector();
  return runTui({
    reference: parseReference(opts.images[0]!, existsIn(ctx.cwd)),
    load: { ...loadSettings(opts, { env: ctx.env, stdin, password }), dockerfiles },
    ...display(opts),
    env: ctx.env,
    debug: opts.debug,
  });
}

/** `inspect-tui diff OLD NEW`: the comparison in the inspector, or its summary and gate headless. */
async function runDiff(d: DiffOptions, ctx: CommandContext): Promise<number> {
  const password = d.options.passwordStdin ? await readAllText(ctx.stdin) : undefined;
  const { diffReferences, runDiffHeadless } = await import('./run-diff.js');
  if (d.ci || d.json !== undefined || !ctx.stdout.isTTY) {
    cleanUpOnSignals();
    return runDiffHeadless(d, { stdout: ctx.stdout, stderr: ctx.stderr, cwd: ctx.cwd, env: ctx.env, password });
  }
  const refs = diffReferences(d, ctx.cwd);
  const runTui = await inspector();
  return runTui({
    reference: refs.old,
    compareWith: refs.new,
    platforms: d.platforms,
    load: loadSettings(d.options, { env: ctx.env, password }),
    ...display(d.options),
    env: ctx.env,
    debug: d.options.debug,
  });
}

/** `inspect-tui build [options] ARGS…`: build with the engine, then open the image as `inspect` would. */
async function runBuild(o: BuildOptions, ctx: CommandContext): Promise<number> {
  // The inspector needs a terminal: said before anything is built, not after.
  if (!o.ci && o.json === undefined && !ctx.stdout.isTTY) throw new UsageError('build: the inspector needs a terminal: use --ci for the report, or --json FILE for the analysis');
  const { buildImage, inspectOptionsFor } = await import('./build-command.js');
  let image;
  try {
    image = await buildImage(o, { env: ctx.env, cwd: ctx.cwd, say: (line) => ctx.stderr.write(`${line}\n`) });
  } catch (e) {
    if (e instanceof BuildStopped && e.signal) return e.signal === 'SIGINT' ? 130 : 143;
    throw e;
  }
  try {
    const opts = inspectOptionsFor(o, image, ctx.env);
    const label = (arg: string) => (arg === image.reference ? image.label : undefined);
    if (opts.ci || opts.json !== undefined) {
      cleanUpOnSignals(image.remove);
      const { runCi } = await import('./run-ci.js');
      return await runCi(opts, { stdout: ctx.stdout, stderr: ctx.stderr, cwd: ctx.cwd, env: ctx.env, version: ctx.version(), label });
    }
    const runTui = await inspector();
    return await runTui({ reference: parseReference(image.reference), label: image.label, load: loadSettings(opts, { env: ctx.env }), ...display(opts), env: ctx.env, debug: opts.debug });
  } finally {
    image.remove();
  }
}

/** How IMAGE is written: the transports' table, then what a bare argument means. */
function imageRows(): (readonly [string, string])[] {
  return [
    ...TRANSPORT_FORMS.flatMap((f) => (f.help ? [[f.help.form, f.help.description] as const] : [])),
    ['PATH | NAME', 'an existing file or directory is sniffed; a name is looked up in the local daemon (else containerd), then the registry'],
  ];
}

/** `help`'s own options (and `completion`'s). */
const HELP_OPTIONS: readonly OptionSpec[] = [{ name: 'help', alias: 'h', description: 'this help' }];

/** What completions are made from: this table, the report formats' and the transports'. */
export function completionModel(): CompletionModel {
  const formats = (comparisonOnly: boolean) =>
    REPORT_FORMATS.filter((f) => !comparisonOnly || ('comparison' in f && f.comparison)).map((f) => ({
      name: f.name,
      file: f.destination === 'stdout' ? ('none' as const) : f.destination === 'file' ? ('required' as const) : ('optional' as const),
    }));
  return {
    program: 'inspect-tui',
    commands: COMMANDS.map((c) => ({
      name: c.name,
      summary: c.summary,
      options: c.options,
      operands: c.operands,
      reports: c.options.some((o) => o.value?.kind === 'report') ? formats(c.name === 'diff') : [],
      ...(c.passThrough ? { passThrough: true } : {}),
    })),
    // The forms the help lists (dive's docker-archive:// is accepted, not offered).
    transports: TRANSPORT_FORMS.filter((f) => f.help).map((f) => ({ prefix: f.prefix, value: f.value })),
  };
}

/** Every command; the first is the default, run when the first word names no command. */
export const COMMANDS: readonly Command[] = [
  command({
    name: 'inspect',
    synopsis: 'inspect [options] IMAGE…',
    summary: 'the default: open IMAGE in the inspector, or with --ci gate it on the rules (the word inspect may be left out)',
    about: "Explore a container image layer by layer; with --ci (or CI=true), gate on dive's rules.",
    operands: [{ label: 'IMAGE', kind: 'image', repeatable: true }],
    options: INSPECT_OPTIONS,
    parse: parseCli,
    run: runInspect,
  }),
  command({
    name: 'diff',
    synopsis: 'diff [options] OLD NEW',
    summary: 'compare two images: in the inspector, or headless with a gate on growth',
    about:
      'Compares two images (any two image arguments, from any mix of sources): the layers aligned by diffID, every path added, removed or modified, ' +
      'and the totals with their deltas. In a terminal it opens the comparison; with --ci, --json or no terminal it prints a summary. ' +
      'OLD and NEW are written as IMAGE in inspect-tui --help.',
    operands: [
      { label: 'OLD', kind: 'image' },
      { label: 'NEW', kind: 'image' },
    ],
    options: DIFF_OPTIONS,
    parse: parseDiffCli,
    run: runDiff,
  }),
  command<BuildOptions>({
    name: 'build',
    synopsis: 'build [options] ARGS…',
    summary: 'build an image with docker, podman or buildah, then open it (as dive build)',
    about:
      `Runs the engine's build with ARGS (${ENGINES.join(', ')}: docker build, podman build, buildah bud), its output on stderr, then opens the image it built: ` +
      'in the inspector, or with --ci (or --json, --report) the gate. inspect-tui\'s options come first; the first other word starts the engine\'s arguments, ' +
      'which pass through as written (-t, -f, --build-arg, --root…; -- also starts them). The image is read back from the engine as a docker-archive ' +
      'in a temporary directory (docker save, podman save, buildah push), removed afterwards. A failed build is one line and exit 2.',
    operands: [{ label: 'ARGS', kind: 'file', repeatable: true }],
    options: BUILD_OPTIONS,
    passThrough: true,
    parse: parseBuildCli,
    run: runBuild,
  }),
  command<InitOptions>({
    name: 'init',
    synopsis: 'init [options]',
    summary: 'write a commented .dive-ci for a kind of project',
    about: `Writes .dive-ci in the working directory: dive's rules (dive reads them too) and path rules for the kind of project (${FLAVOURS.join(', ')}). An existing .dive-ci is left alone unless --force is given.`,
    operands: [],
    options: INIT_OPTIONS,
    parse: (argv) => parseInitCli(argv),
    run: async (o, ctx) => (await import('./init.js')).runInit(o, { cwd: ctx.cwd, stdout: ctx.stdout }),
  }),
  command<CacheOptions>({
    name: 'cache',
    synopsis: 'cache path|list|prune [options]',
    summary: 'where the analysis cache is, what it holds, and pruning it by age or size',
    about:
      'The analysis cache ($XDG_CACHE_HOME/inspect-tui, else ~/.cache/inspect-tui) holds each layer\'s entries by diffID and each image\'s figures. ' +
      'path prints the directory; list shows every entry with its size and when it was last used; prune removes entries not used for --older-than DAYS, ' +
      'then the least recently used down to --max-size SIZE (or every entry with --all). Only the cache\'s own files are removed: never a symlink, a directory or a file of another name.',
    operands: [{ label: 'ACTION', kind: 'choice', choices: CACHE_ACTIONS }],
    options: CACHE_OPTIONS,
    parse: (argv) => parseCacheCli(argv),
    run: async (o, ctx) => (await import('./cache-command.js')).runCache(o, { env: ctx.env, stdout: ctx.stdout }),
  }),
  command<{ readonly help: boolean; readonly shell?: Shell }>({
    name: 'completion',
    synopsis: 'completion bash|zsh|fish',
    summary: 'print a shell completion script (source <(inspect-tui completion bash))',
    about:
      'Prints the completion script for a shell, made from the command table: commands, options, their values (choices, report formats, files) and image transports. ' +
      'bash: source <(inspect-tui completion bash); zsh (after compinit): source <(inspect-tui completion zsh); fish: inspect-tui completion fish | source.',
    operands: [{ label: 'SHELL', kind: 'choice', choices: SHELLS }],
    options: HELP_OPTIONS,
    parse: (argv) => {
      const { values, operands } = parseOptions(argv, HELP_OPTIONS, 'completion: ', 'see inspect-tui completion --help');
      if (values.help === true) return { help: true };
      const shell = operands[0];
      if (operands.length !== 1 || !SHELLS.includes(shell as Shell)) throw new UsageError(`completion: name one shell: ${SHELLS.join(', ')}${shell !== undefined ? ` (not "${shell}")` : ''}`);
      return { help: false, shell: shell as Shell };
    },
    run: async (o, ctx) => {
      ctx.stdout.write(completionScript(o.shell!, completionModel()));
      return 0;
    },
  }),
  command<{ readonly help: boolean; readonly topic?: string }>({
    name: 'help',
    synopsis: 'help [COMMAND]',
    summary: "this help, or a command's (as inspect-tui COMMAND --help)",
    about: "Prints the help, or a command's help with its options.",
    operands: [{ label: 'COMMAND', kind: 'command' }],
    options: HELP_OPTIONS,
    parse: (argv) => {
      const { values, operands } = parseOptions(argv, HELP_OPTIONS, 'help: ', 'see inspect-tui help');
      if (operands.length > 1) throw new UsageError(`help: one command at a time, not ${operands.length}`);
      return { help: values.help === true, topic: operands[0] };
    },
    run: async (o, ctx) => {
      const target = o.topic === undefined ? COMMANDS[0]! : commandNamed(o.topic);
      if (!target) throw new UsageError(`help: no command "${o.topic}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
      ctx.stdout.write(helpOf(target));
      return 0;
    },
  }),
];

/** The row of a command name, or undefined. */
export function commandNamed(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * Which command an argv runs, and with which arguments: a first word that names a command runs
 * it with the rest; anything else is the default command (inspect) with all of argv.
 */
export function dispatch(argv: readonly string[]): { command: Command; argv: readonly string[] } {
  const named = argv[0] === undefined ? undefined : commandNamed(argv[0]);
  return named ? { command: named, argv: argv.slice(1) } : { command: COMMANDS[0]!, argv };
}

/**
 * A command's help, from its row: the usage, what it does, its operands and options. The
 * default command's help is the tool's: it lists the commands, what IMAGE may be and the report
 * formats too.
 */
export function helpOf(c: Command): string {
  const isDefault = c === COMMANDS[0];
  const operands = c.operands.map((o) => (o.repeatable ? `${o.label} [${o.label}…]` : (o.choices?.join('|') ?? o.label))).join(' ');
  const parts: string[] = [];
  if (isDefault) {
    parts.push(`Usage: inspect-tui [options] ${operands}\n       inspect-tui COMMAND [options] [ARGS]\n`);
    parts.push(`${wrap(c.about, 100).join('\n')}\n`);
    parts.push(`Commands:\n${formatRows(COMMANDS.map((x) => [x.synopsis, x.summary]))}`);
    parts.push(`IMAGE (transports as in skopeo/podman):\n${formatRows(imageRows())}  In --ci mode IMAGE may be a glob ('dist/*.tar'); each image is reported in turn.\n`);
  } else {
    parts.push(`Usage: inspect-tui ${c.name}${c.options.length > 0 ? ' [options]' : ''}${operands ? ` ${operands}` : ''}\n`);
    parts.push(`${wrap(c.about, 100).join('\n')}\n`);
  }
  parts.push(`Options:\n${formatOptions(c.options)}`);
  if (isDefault) {
    const rows = REPORT_FORMATS.map((f) => [f.destination === 'stdout' ? f.name : f.destination === 'file-or-step-summary' ? `${f.name}[=FILE]` : `${f.name}=FILE`, f.description] as const);
    parts.push(`Report formats (--report FORMAT[=FILE], repeatable):\n${formatRows(rows)}`);
    parts.push('inspect-tui help COMMAND (or inspect-tui COMMAND --help) shows a command\'s options.\n');
  }
  return parts.join('\n');
}
