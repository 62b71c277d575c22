#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { SourceError, UsageError } from '../errors/index.js';
import { escapeControl } from '../format/index.js';
import { enableCompileCache } from './compile-cache.js';

// Before the commands are imported, so that V8's compile cache covers them (Node ≥ 22.1).
enableCompileCache(process.env, process.argv);

// React and Ink load only with the inspector (a dynamic import in commands.ts). Unless the user
// asks otherwise, they load their production builds: the development ones record a performance
// measure per component render and doubled the CPU per key press (108 → 54 ms per cursor move
// at 10k files, `npm run bench`).
process.env.NODE_ENV ??= 'production';

/** The version, compiled in by the bundler (scripts/build.mjs); read from package.json when running unbundled. */
declare const INSPECT_TUI_VERSION: string | undefined;

function version(): string {
  if (typeof INSPECT_TUI_VERSION === 'string') return INSPECT_TUI_VERSION;
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

/** The only place that reads argv/env and decides the exit code: the command table does the rest. */
async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const { dispatch } = await import('./commands.js');
    const { command, argv: rest } = dispatch(argv);
    return await command.main(rest, { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), version });
  } catch (e) {
    process.stderr.write(`${describeError(e, debug)}\n`);
    return 2;
  }
}

const code = await main(process.argv.slice(2));
// Let pending output drain, then leave even if a socket or timer is still open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
