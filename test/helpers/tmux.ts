import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './image-files.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** The built program the sessions run. */
export const MAIN = join(ROOT, 'dist', 'cli.js');
/** The bundled example image (`npm run example`). */
export const EXAMPLE = join(ROOT, 'examples', 'example-image.tar');
/** A fixture image under `../shared/fixtures`. */
export const fixtureImage = (...parts: string[]) => join(ROOT, '..', 'shared', 'fixtures', ...parts);

/** The arguments that select a tmux server: the default one, or a server of its own on `socket` with no user config. */
const serverArgs = (socket?: string) => (socket ? ['-L', socket, '-f', '/dev/null'] : []);

/** Runs a tmux command and returns its output. */
export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });

/** Stops the tmux server of its own on `socket`, if it runs. */
export const killServer = (socket: string) => void spawnSync('tmux', [...serverArgs(socket), 'kill-server']);

/**
 * Whether tmux sessions can run: tmux is installed and every fixture they need exists.
 * Warns with the reason when not, naming `what` is skipped.
 */
export function tmuxReady(what: string, ...fixtures: string[]): boolean {
  const missing = fixtures.some((f) => !existsSync(f));
  if (!hasTmux || missing) console.warn(`skipping ${what}: ${hasTmux ? 'no fixture at ../shared/fixtures' : 'tmux is not installed'}`);
  return hasTmux && !missing;
}

/**
 * Helpers bound to one tmux session: read the screen, type keys or literal text, read a
 * format variable (`flag('alternate_on')`), and poll the screen until a predicate holds
 * (bounded, never a fixed sleep).
 *
 * @param join capture wrapped lines joined (`capture-pane -J`).
 * @param socket a tmux server of its own (`tmux -L socket -f /dev/null`), instead of the default one.
 */
export function tmuxSession(session: string, opts: { join?: boolean; socket?: string } = {}) {
  const server = serverArgs(opts.socket);
  const run = (...args: string[]) => execFileSync('tmux', [...server, ...args], { encoding: 'utf8' });
  const screen = () => run('capture-pane', '-t', session, '-p', ...(opts.join ? ['-J'] : []));
  const keys = (...k: string[]) => run('send-keys', '-t', session, ...k);
  const text = (s: string) => run('send-keys', '-t', session, '-l', s);
  const flag = (name: string) => run('display', '-p', '-t', session, `#{${name}}`).trim();
  /** Polls the pane until `pred` holds, returning the screen; throws with the screen after `timeoutMs`. */
  async function until(pred: (s: string) => boolean, what: string, timeoutMs = 15000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let s = '';
    while (Date.now() < end) {
      s = screen();
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
  }
  return { tmux: run, session, screen, keys, text, flag, until };
}

export type InspectorOptions = {
  /** Part of the session name; the session is `inspect-e2e-<name>-<pid>`. */
  readonly name: string;
  /** The program's arguments (each quoted for the shell). */
  readonly args: readonly string[];
  readonly cols: number;
  readonly rows: number;
  /** Variables for the program: a string sets one (`NO_COLOR: ''`), undefined unsets it (`NO_COLOR: undefined`). CI is always unset. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A file piped to the program's stdin (`cat FILE | …`); the keys still come from the terminal. */
  readonly stdin?: string;
  /** The working directory; by default a temporary one, removed by `stop`. */
  readonly cwd?: string;
  /** Record the program's pid (see `pid()`), to send it a signal. */
  readonly recordPid?: boolean;
  /** Capture wrapped lines joined. */
  readonly join?: boolean;
  /** A tmux server of its own on this socket (no user config), instead of the default server. */
  readonly socket?: string;
  /** The command that runs the program, instead of `node MAIN` (the single executable's path, say). */
  readonly program?: readonly string[];
};

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The built inspector in a detached tmux session: `start` builds `dist/` (and the example
 * image it is given) when absent, then runs
 * `env -u CI … node MAIN ARGS; echo "EXIT:$?"; exec sleep 600` in a session of the given size,
 * so a test can read the exit code after quitting. The program gets a private cache and
 * config directory (`XDG_CACHE_HOME`, `XDG_CONFIG_HOME`): it neither writes to the user's
 * analysis cache nor reads the user's config. `stop` kills the session and removes what
 * `start` created.
 */
export function inspector(opts: InspectorOptions) {
  const session = `inspect-e2e-${opts.name}-${process.pid}`;
  const helpers = tmuxSession(session, { join: opts.join, socket: opts.socket });
  let home: string | undefined;
  let cwd: string | undefined;
  const started = () => {
    if (!home || !cwd) throw new Error(`the session ${session} is not started`);
    return { home, cwd };
  };
  const pidFile = () => join(started().home, 'pid');

  function start() {
    if (!opts.program && !existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    if (opts.args.includes(EXAMPLE) || opts.stdin === EXAMPLE) {
      if (!existsSync(EXAMPLE)) execFileSync('npm', ['run', 'example'], { cwd: ROOT, stdio: 'ignore' });
    }
    home = mkdtempSync(join(tmpdir(), 'inspect-e2e-home-'));
    mkdirSync(join(home, 'cache'));
    mkdirSync(join(home, 'config'));
    cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'inspect-e2e-cwd-'));
    const env: Record<string, string | undefined> = { XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), ...opts.env };
    const unset = Object.keys(env).filter((k) => env[k] === undefined);
    const set = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${quote(v)}`]));
    const program = ['env', '-u', 'CI', ...unset.flatMap((k) => ['-u', k]), ...set, ...(opts.program ?? ['node', MAIN]).map(quote), ...opts.args.map(quote)].join(' ');
    // The inner shell records its pid and becomes the program, which stays in the foreground on the tty.
    const run = opts.recordPid ? `sh -c 'echo $$ > "$0"; exec "$@"' ${quote(pidFile())} ${program}` : program;
    const piped = opts.stdin ? `cat ${quote(opts.stdin)} | ${run}` : run;
    const cmd = `${piped}; echo "EXIT:$?"; exec sleep 600`;
    helpers.tmux('new-session', '-d', '-s', session, '-x', String(opts.cols), '-y', String(opts.rows), '-c', cwd, cmd);
  }

  function stop() {
    spawnSync('tmux', [...serverArgs(opts.socket), 'kill-session', '-t', session]);
    if (cwd && !opts.cwd) rmSync(cwd, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
    home = cwd = undefined;
  }

  return {
    ...helpers,
    start,
    stop,
    /** The program's working directory. */
    get cwd() {
      return started().cwd;
    },
    /** The program's private cache directory (`XDG_CACHE_HOME`). */
    get cache() {
      return join(started().home, 'cache');
    },
    /** The program's pid (with `recordPid`). */
    pid: () => Number(readFileSync(pidFile(), 'utf8').trim()),
  };
}

export type Inspector = ReturnType<typeof inspector>;

/** `inspector(opts)`, started. */
export function startInspector(opts: InspectorOptions): Inspector {
  const i = inspector(opts);
  i.start();
  return i;
}
