import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/cli/build-command.js';
import { COMMANDS, completionModel } from '../../src/cli/commands.js';
import { FLAVOURS } from '../../src/cli/init.js';
import { REPORT_FORMATS } from '../../src/report/formats.js';
import { THEME_NAMES } from '../../src/viewmodel/ui-config.js';
import { tmpDir } from '../helpers/image-files.js';
import { BIN } from '../helpers/run-cli.js';
import { hasTmux, killServer, tmuxSession } from '../helpers/tmux.js';

/**
 * The completion scripts, run by the real shells: bash with COMP_WORDS set by hand (as bash
 * sets them) and, in a terminal (tmux), with the Tab key, where bash splits words at `:` and
 * `=`; zsh with compinit and the Tab key; fish with `complete -C`. What they offer is checked
 * against the command table, the report-format table and the transport table.
 */

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

let cwd: string;
let bin: string;

beforeAll(() => {
  // A working directory with a file of each kind, and `inspect-tui` on PATH as users have it.
  cwd = tmpDir('inspect-tui-completion-');
  writeFileSync(path.join(cwd, 'img.tar'), '');
  writeFileSync(path.join(cwd, 'other.txt'), '');
  mkdirSync(path.join(cwd, 'layout'));
  bin = tmpDir('inspect-tui-bin-');
  writeFileSync(path.join(bin, 'inspect-tui'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(path.join(bin, 'inspect-tui'), 0o755);
});

const env = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}` });

/** What bash's completion function offers for `words` (the last one is completed), as bash sets COMP_WORDS. */
function bashComplete(...words: string[]): string[] {
  const script = `source <(inspect-tui completion bash) || exit 9
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _inspect_tui; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script, 'bash', 'inspect-tui', ...words], { cwd, env: env(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bash failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const names = COMMANDS.map((c) => c.name);
const offered = completionModel().transports.map((t) => t.prefix);

describe('bash', () => {
  it.each([
    // a command, by its first letters (no file starts so)
    [['di'], ['diff']],
    [['co'], ['completion', 'containerd:']],
    // options of the default command, and of diff
    [['--js'], ['--json', '--json-format']],
    [['diff', '--old-p'], ['--old-platform']],
    // an option's choices, after a space or an =
    [['--theme', ''], sorted(THEME_NAMES)],
    [['--theme=l'], ['--theme=light']],
    [['init', '--flavour', ''], sorted(FLAVOURS)],
    [['build', '--engine', ''], sorted(ENGINES)],
    // a file-valued option, by its alias too
    [['-j', 'o'], ['other.txt']],
    // transports, and the files or directories after them
    [['docker-d'], ['docker-daemon:']],
    [['docker-archive:i'], ['docker-archive:img.tar']],
    [['oci:'], ['oci:layout']],
    [['docker://al'], []],
    // report formats, then a file after FORMAT=
    [['--report', 'j'], ['junit=']],
    [['--report', 'm'], ['markdown', 'markdown=']],
    [['--report', 'junit=o'], ['junit=other.txt']],
    [['diff', '--report', ''], ['html=']],
    // operands with choices, and command names
    [['cache', ''], ['list', 'path', 'prune']],
    [['completion', ''], ['bash', 'fish', 'zsh']],
    [['help', 'd'], ['diff']],
    // build: after the engine's first word, only files (the engine's options are the engine's)
    [['build', '-t', 'x', 'i'], ['img.tar']],
    [['build', '-t', 'x', '--c'], []],
    [['build', '--c'], ['--ci', '--ci-config', '--config']],
  ])('%j → %j', (words, expected) => {
    expect(bashComplete(...words)).toEqual(expected);
  });

  it('offers every command, every listed option of each, every report format and every transport, from their tables', () => {
    expect(bashComplete('')).toEqual(expect.arrayContaining([...names, ...offered, 'img.tar', 'layout']));
    for (const c of COMMANDS) {
      const words = c === COMMANDS[0] ? ['--'] : [c.name, '--'];
      const longs = c.options.filter((o) => !o.hidden).map((o) => `--${o.name}`);
      expect(bashComplete(...words), c.name).toEqual(sorted(longs));
      for (const o of c.options.filter((x) => x.value?.choices)) {
        expect(bashComplete(...words.slice(0, -1), `--${o.name}`, ''), `${c.name} --${o.name}`).toEqual(sorted(o.value!.choices!));
      }
    }
    const formats = REPORT_FORMATS.flatMap((f) => (f.destination === 'stdout' ? [f.name] : f.destination === 'file' ? [`${f.name}=`] : [f.name, `${f.name}=`]));
    expect(bashComplete('--report', '')).toEqual(sorted(formats));
  });
});

/** A shell in a terminal of its own: type a line, press Tab, read the line back. */
function terminal(shell: 'bash' | 'zsh', setup: string) {
  const socket = `inspect-tui-completion-${shell}-${process.pid}`;
  const t = tmuxSession('c', { socket });
  const cmd = shell === 'bash' ? 'bash --norc --noprofile' : 'zsh -f';
  const run = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'c', '-x', '150', '-y', '20', '-c', cwd, `env PATH='${bin}:${process.env.PATH}' HOME='${cwd}' PS1='$ ' ${cmd}`]);
  if (run.status !== 0) throw new Error(`tmux: ${run.stderr}`);
  return {
    async ready() {
      t.text(`${setup}; PS1='READY$ '`);
      t.keys('Enter');
      await t.until((s) => /^READY\$ ?$/m.test(s), 'the shell to load the completion');
      t.keys('C-l');
    },
    /**
     * Types `line`, presses Tab, and waits for the prompt's line to read `expect` (tmux drops
     * trailing spaces, so a space the shell added after a word is checked with the cursor).
     */
    async tab(line: string, expect: string): Promise<void> {
      t.text(line);
      t.keys('Tab');
      const want = `READY$ ${expect}`;
      await t.until((s) => s.split('\n').some((l) => l === want.trimEnd()) && Number(t.flag('cursor_x')) === want.length, `"${want}"`);
      t.keys('C-u');
      t.keys('C-l');
      await t.until((s) => /^READY\$ ?$/m.test(s), 'a clear line');
    },
    stop: () => killServer(socket),
  };
}

describe.skipIf(!hasTmux)('bash in a terminal: the Tab key, with words split at : and =', () => {
  let sh: ReturnType<typeof terminal>;
  beforeAll(async () => {
    sh = terminal('bash', 'source <(inspect-tui completion bash)');
    await sh.ready();
  }, 30_000);
  afterAll(() => sh?.stop());

  it.each([
    ['inspect-tui docker-archive:im', 'inspect-tui docker-archive:img.tar '],
    ['inspect-tui --report junit=ot', 'inspect-tui --report junit=other.txt '],
    ['inspect-tui --theme=li', 'inspect-tui --theme=light '],
    ['inspect-tui docker-dae', 'inspect-tui docker-daemon:'],
    ['inspect-tui oci:lay', 'inspect-tui oci:layout/'],
    ['inspect-tui com', 'inspect-tui completion '],
  ])('%s⇥ → %s', async (typed, line) => {
    await sh.tab(typed, line);
  });
});

describe.skipIf(!hasTmux || !has('zsh'))('zsh in a terminal (compinit)', () => {
  let sh: ReturnType<typeof terminal>;
  beforeAll(async () => {
    sh = terminal('zsh', 'autoload -U compinit && compinit -u && source <(inspect-tui completion zsh)');
    await sh.ready();
  }, 30_000);
  afterAll(() => sh?.stop());

  it('the script parses', () => {
    const file = path.join(tmpDir(), '_inspect-tui');
    writeFileSync(file, spawnSync(process.execPath, [BIN, 'completion', 'zsh'], { encoding: 'utf8' }).stdout);
    const r = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['inspect-tui di', 'inspect-tui diff '],
    ['inspect-tui --the', 'inspect-tui --theme='],
    ['inspect-tui --theme=l', 'inspect-tui --theme=light '],
    ['inspect-tui docker-archive:im', 'inspect-tui docker-archive:img.tar '],
    ['inspect-tui --report jun', 'inspect-tui --report junit='],
    ['inspect-tui --report junit=ot', 'inspect-tui --report junit=other.txt '],
    ['inspect-tui diff --report h', 'inspect-tui diff --report html='],
    ['inspect-tui cache pr', 'inspect-tui cache prune '],
    ['inspect-tui build --eng', 'inspect-tui build --engine='],
  ])('%s⇥ → %s', async (typed, line) => {
    await sh.tab(typed, line);
  });
});

describe.skipIf(!has('fish'))('fish', () => {
  /** What fish offers for a command line, without descriptions. */
  function fishComplete(line: string): string[] {
    const r = spawnSync('fish', ['--no-config', '-c', 'inspect-tui completion fish | source; complete -C $argv[1]', line], { cwd, env: env(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fish failed (${r.status}): ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!).sort();
  }

  it('the script parses', () => {
    const file = path.join(tmpDir(), 'inspect-tui.fish');
    writeFileSync(file, spawnSync(process.execPath, [BIN, 'completion', 'fish'], { encoding: 'utf8' }).stdout);
    const r = spawnSync('fish', ['--no-config', '--no-execute', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['inspect-tui di', ['diff']],
    ['inspect-tui --js', ['--json', '--json-format']],
    ['inspect-tui --theme ', sorted(THEME_NAMES)],
    ['inspect-tui docker-archive:i', ['docker-archive:img.tar']],
    ['inspect-tui oci:', ['oci:layout/']],
    ['inspect-tui --report j', ['junit=']],
    ['inspect-tui --report junit=o', ['junit=other.txt']],
    ['inspect-tui diff --report ', ['html=']],
    ['inspect-tui cache ', ['list', 'path', 'prune']],
    ['inspect-tui build --engine ', sorted(ENGINES)],
    ['inspect-tui help c', ['cache', 'completion']],
  ])('%s → %j', (line, expected) => {
    expect(fishComplete(line)).toEqual(expected);
  });

  it('offers every command and transport at the first word', () => {
    expect(fishComplete('inspect-tui ')).toEqual(expect.arrayContaining([...names, ...offered, 'img.tar', 'layout/']));
  });
});
