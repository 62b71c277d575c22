#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseReference } from '../reference/reference.js';
import { SourceError, UsageError } from '../errors/index.js';
import { escapeControl } from '../format/escape.js';
import { parseCli, USAGE, type Options } from './args.js';
import { runInit } from './init.js';
import { removeTempFiles } from './output-file.js';
import { runCi } from './run-ci.js';
import { createSourceSettings, readAllText } from './settings.js';
import type { TuiOptions } from './tui-options.js';
import { existsSync } from 'node:fs';

// React and Ink load only with the inspector (a dynamic import below). Unless the user asks
// otherwise, they load their production builds: the development ones record a performance
// measure per component render and doubled the CPU per key press (108 → 54 ms per cursor move
// at 10k files, `npm run bench`).
process.env.NODE_ENV ??= 'production';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * One line for the user; the cause chain and stack only with --debug. Messages quote names from
 * images and archives (tags, member names), so control characters are escaped: a name cannot
 * clear the screen or add a line of its own.
 */
export function describeError(e: unknown, debug: boolean): string {
  const err = e as Error;
  const known = e instanceof SourceError || e instanceof UsageError;
  // Anything else is a fault in the tool itself (a BugError, or an error no adapter turned into a
  // SourceError): said as such, on one line, with where to look.
  const what = err?.message ?? String(e);
  let text = escapeControl(known ? `inspect-tui: ${err.message}` : `inspect-tui: internal error: ${what}${debug ? '' : ' (please report it; --debug shows where)'}`);
  if (debug) {
    let c: unknown = e;
    const parts: string[] = [];
    while (c) {
      parts.push((c as Error).stack ?? String(c));
      c = (c as Error).cause;
    }
    text += `\n${parts.map((p) => p.split('\n').map(escapeControl).join('\n')).join('\ncaused by: ')}`;
  }
  return text;
}

/** A signal must not leave a half-written report: drop the temporary files, then exit as killed. */
function cleanUpOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTempFiles();
      process.exit(code);
    });
  }
}

/** The display flags the inspector takes: `--theme`, `--no-mouse` (unset ones leave the config's). */
function tuiDisplay(o: Options): Pick<TuiOptions, 'theme' | 'mouse'> {
  return { ...(o.theme ? { theme: o.theme } : {}), ...(o.noMouse ? { mouse: false } : {}) };
}

/** `inspect-tui diff OLD NEW`: the comparison in the inspector, or its summary and gate headless. */
async function diffMain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { DIFF_USAGE, diffReferences, parseDiffCli, runDiffHeadless } = await import('./run-diff.js');
  const d = parseDiffCli(argv, env);
  if (d.help) {
    process.stdout.write(DIFF_USAGE);
    return 0;
  }
  const password = d.options.passwordStdin ? await readAllText(process.stdin) : undefined;
  const io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env, password };
  if (d.ci || d.json !== undefined || !process.stdout.isTTY) {
    cleanUpOnSignals();
    return runDiffHeadless(d, io);
  }
  const spec = './run-tui.js';
  const { runTui } = (await import(spec)) as { runTui: (o: TuiOptions) => Promise<number> };
  const refs = diffReferences(d, process.cwd());
  return runTui({
    reference: refs.old,
    compareWith: refs.new,
    platforms: d.platforms,
    settings: createSourceSettings(d.options, env, undefined, password),
    keyConfigPath: d.options.config,
    ...tuiDisplay(d.options),
    env,
    debug: d.options.debug,
    noCache: d.options.noCache,
  });
}

/** The only place that reads argv/env and decides the exit code. */
async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const debug = argv.includes('--debug');
  try {
    if (argv[0] === 'diff') return await diffMain(argv.slice(1), env);
    if (argv[0] === 'init') return await runInit(argv.slice(1), { cwd: process.cwd(), stdout: process.stdout });
    const opts = parseCli(argv, env);
    if (opts.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (opts.version) {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const password = opts.passwordStdin ? await readAllText(process.stdin) : undefined;
    // `-` alone, or a file transport's path `-` (`docker-archive:-`), reads the image from stdin.
    const readsStdin = opts.images.some((i) => i === '-' || /^(?:docker-archive|oci-archive):-(?::|$)/.test(i));
    const stdin = readsStdin ? process.stdin : undefined;
    if (opts.ci || opts.json !== undefined) {
      cleanUpOnSignals();
      return await runCi(opts, { stdout: process.stdout, stderr: process.stderr, stdin, cwd: process.cwd(), env, password, version: version() });
    }
    // The inspector draws on a terminal; without one it would write escape codes into a pipe.
    if (!process.stdout.isTTY) throw new UsageError('the inspector needs a terminal: use --ci for the report, or --json FILE for the analysis');
    const spec = './run-tui.js';
    const { runTui } = (await import(spec)) as { runTui: (o: TuiOptions) => Promise<number> };
    return await runTui({
      reference: parseReference(opts.images[0]!, existsSync),
      settings: createSourceSettings(opts, env, stdin, password),
      keyConfigPath: opts.config,
      ...tuiDisplay(opts),
      env,
      debug: opts.debug,
      noCache: opts.noCache,
    });
  } catch (e) {
    process.stderr.write(`${describeError(e, debug)}\n`);
    return 2;
  }
}

const code = await main(process.argv.slice(2));
// Let pending output drain, then leave even if a socket or timer is still open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
