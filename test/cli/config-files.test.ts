import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE_LIMIT, readConfigFile } from '../../src/cli/config-file.js';
import { UsageError } from '../../src/errors/index.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { BIN } from '../helpers/run-cli.js';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

/**
 * Configuration files are read bounded: `.dive-ci`, `--ci-config` and the key bindings must be
 * regular files (after following links) of at most 1 MiB, else one line naming the file, exit 2.
 * A link to /dev/zero used to be read until the string limit (about 620 MB resident) and a FIFO
 * hung; a YAML warning printed the library's code frame before the refusal.
 */

const IMAGE = path.join(ROOT, 'examples', 'example-image.tar');

/** Runs the built CLI with a deadline of its own: a run that hangs is killed (SIGKILL: a process stuck opening a FIFO does not end on SIGTERM) and fails the test instead of stalling it. */
function run(args: string[], cwd: string, timeout = 20_000) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, XDG_CACHE_HOME: tmpDir(), CI: '' }, input: '', timeout, killSignal: 'SIGKILL', maxBuffer: 8 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), timedOut: r.error !== undefined };
}

function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error(`mkfifo ${p}: ${r.stderr.toString()}`);
}

/** Exit 2 and exactly one line on stderr, nothing on stdout. */
function oneLine(r: ReturnType<typeof run>): string {
  expect(r.timedOut, 'the run hung').toBe(false);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('a rules file that is no regular file, or too large', () => {
  it.each<[string, (dir: string) => string[], string]>([
    ['.dive-ci linked to /dev/zero', (d) => (symlinkSync('/dev/zero', path.join(d, '.dive-ci')), ['--ci', IMAGE]), 'inspect-tui: .dive-ci: a character device, not a regular file (a config file must be one)'],
    ['.dive-ci a FIFO nobody writes', (d) => (mkfifo(path.join(d, '.dive-ci')), ['--ci', IMAGE]), 'inspect-tui: .dive-ci: a FIFO, not a regular file (a config file must be one)'],
    ['.dive-ci a directory', (d) => (mkdirSync(path.join(d, '.dive-ci')), ['--ci', IMAGE]), 'inspect-tui: .dive-ci: a directory, not a regular file (a config file must be one)'],
    ['--ci-config a device', () => ['--ci', '--ci-config', '/dev/zero', IMAGE], 'inspect-tui: /dev/zero: a character device, not a regular file (a config file must be one)'],
    [
      '--ci-config one byte over 1 MiB',
      (d) => (writeFileSync(path.join(d, 'big.yaml'), '#'.repeat(CONFIG_FILE_LIMIT + 1)), ['--ci', '--ci-config', 'big.yaml', IMAGE]),
      `inspect-tui: big.yaml: larger than 1 MiB (a config file may hold at most ${CONFIG_FILE_LIMIT} bytes)`,
    ],
    ['diff reads .dive-ci the same way', (d) => (symlinkSync('/dev/zero', path.join(d, '.dive-ci')), ['diff', IMAGE, IMAGE]), 'inspect-tui: .dive-ci: a character device, not a regular file (a config file must be one)'],
    ['diff --ci-config a FIFO', (d) => (mkfifo(path.join(d, 'rules.fifo')), ['diff', '--ci-config', 'rules.fifo', IMAGE, IMAGE]), 'inspect-tui: rules.fifo: a FIFO, not a regular file (a config file must be one)'],
  ])('%s: one line naming it, exit 2, at once', (_, setup, line) => {
    const dir = tmpDir();
    const args = setup(dir);
    const started = Date.now();
    expect(oneLine(run(args, dir))).toBe(line);
    // no read of a device or wait for a writer: refused from the open file's type and size
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a rules file of exactly 1 MiB is read', () => {
    const dir = tmpDir();
    const rules = 'rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n';
    writeFileSync(path.join(dir, 'full.yaml'), `${rules}${'#'.repeat(CONFIG_FILE_LIMIT - rules.length - 1)}\n`);
    const r = run(['--ci', '--quiet', '--ci-config', 'full.yaml', IMAGE], dir);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a link to a regular rules file is followed', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'real.yaml'), 'rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n');
    symlinkSync('real.yaml', path.join(dir, '.dive-ci'));
    expect(run(['--ci', '--quiet', IMAGE], dir).code).toBe(0);
  });
});

describe('readConfigFile', () => {
  const dir = tmpDir();
  it.each<[string, () => string, RegExp]>([
    ['a FIFO', () => (mkfifo(path.join(dir, 'keys.fifo')), path.join(dir, 'keys.fifo')), /: a FIFO, not a regular file/],
    ['a link to /dev/zero', () => (symlinkSync('/dev/zero', path.join(dir, 'zero.yaml')), path.join(dir, 'zero.yaml')), /: a character device, not a regular file/],
    ['a file over 1 MiB', () => (writeFileSync(path.join(dir, 'big'), Buffer.alloc(CONFIG_FILE_LIMIT + 10, 0x23)), path.join(dir, 'big')), /: larger than 1 MiB/],
    ['a missing file that was named', () => path.join(dir, 'absent.yaml'), /: no such file$/],
  ])('refuses %s with a UsageError naming it', async (_, make, msg) => {
    const file = make();
    const err = await readConfigFile(file, 'the file', false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^the file: /);
    expect((err as Error).message).toMatch(msg);
  });

  it('gives undefined for a missing default file, and the text of a regular one', async () => {
    expect(await readConfigFile(path.join(dir, 'nothing-here'), 'x', true)).toBeUndefined();
    writeFileSync(path.join(dir, 'ok.yaml'), 'theme: light\n');
    expect(await readConfigFile(path.join(dir, 'ok.yaml'), 'x', true)).toBe('theme: light\n');
  });
});

describe('a YAML warning in the rules file', () => {
  it.each([
    ['an unknown tag', 'rules:\n  lowestEfficiency: !!js/function "function(){}"\n', 'inspect-tui: .dive-ci: not accepted (Unresolved tag: tag:yaml.org,2002:js/function at line 2, column 21)'],
    ['a key that is a list', 'rules:\n  ? [a, b]\n  : 1\n', 'inspect-tui: .dive-ci: unknown rule "[ a, b ]" (known: lowestEfficiency, highestWastedBytes, highestUserWastedPercent)'],
  ])('%s: one line of our own, no process warning or code frame', (_, text, line) => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, '.dive-ci'), text);
    const r = run(['--ci', IMAGE], dir);
    expect(oneLine(r)).toBe(line);
    expect(r.stderr).not.toMatch(/Warning|\^\^\^/);
  });
});

// The key bindings are read by the inspector, which needs a terminal: a tmux pane gives it one.
const ready = tmuxReady('the bounded key bindings file');

describe.skipIf(!ready)('the key bindings file of the inspector', () => {
  const dir = tmpDir();
  mkfifo(path.join(dir, 'keys.fifo'));
  mkdirSync(path.join(dir, 'xdg', 'inspect-tui'), { recursive: true });
  symlinkSync('/dev/zero', path.join(dir, 'xdg', 'inspect-tui', 'config.yaml'));
  const fifo = inspector({ name: 'keys-fifo', args: ['--config', path.join(dir, 'keys.fifo'), EXAMPLE], cols: 200, rows: 10, join: true });
  const zero = inspector({ name: 'keys-zero', args: [EXAMPLE], cols: 200, rows: 10, join: true, env: { XDG_CONFIG_HOME: path.join(dir, 'xdg') } });
  afterAll(() => {
    fifo.stop();
    zero.stop();
  });

  it('--config FILE a FIFO: one line naming it, exit 2, before the terminal is taken over', async () => {
    fifo.start();
    const s = await fifo.until((x) => x.includes('EXIT:'), 'the exit', 10_000);
    expect(s).toContain(`inspect-tui: ${path.join(dir, 'keys.fifo')}: a FIFO, not a regular file (a config file must be one)\nEXIT:2`);
  });

  it('the default file linked to /dev/zero: one line naming it, exit 2', async () => {
    zero.start();
    const s = await zero.until((x) => x.includes('EXIT:'), 'the exit', 10_000);
    expect(s).toContain(`inspect-tui: ${path.join(dir, 'xdg', 'inspect-tui', 'config.yaml')}: a character device, not a regular file (a config file must be one)\nEXIT:2`);
  });
});
