import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux } from '../helpers/tmux.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGE = join(ROOT, 'examples', 'example-image.tar');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const CACHE = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));
if (!hasTmux) console.warn('skipping the mouse sessions: tmux is not installed');

// A tmux server of its own (no user config): `set-clipboard on` below changes nothing for anyone else.
const SOCKET = `inspect-mouse-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });

function session(name: string) {
  const screen = () => tmux('capture-pane', '-t', name, '-p');
  const flag = (f: string) => tmux('display', '-p', '-t', name, `#{${f}}`).trim();
  /** An SGR mouse report typed into the pane, as the terminal would send it (1-based cell). */
  const report = (b: number, col: number, row: number, end: 'M' | 'm' = 'M') => tmux('send-keys', '-t', name, '-l', `\x1b[<${b};${col};${row}${end}`);
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
  const start = (cols: number, rows: number, args: string) => {
    const cmd = `env -u CI XDG_CACHE_HOME='${CACHE}' XDG_CONFIG_HOME='${CACHE}' node '${MAIN}' ${args} '${IMAGE}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), cmd);
  };
  return { screen, flag, report, until, start, keys: (...k: string[]) => tmux('send-keys', '-t', name, ...k) };
}

/** The right column's rows (the file tree) of a captured screen, from the first tree row (below the title, the path line and the column headers). */
const treeColumn = (s: string, leftWidth: number) =>
  s
    .split('\n')
    .slice(3)
    .map((l) => l.slice(leftWidth + 1).trimEnd());

describe.skipIf(!hasTmux)('the mouse, in tmux', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    if (!existsSync(IMAGE)) execFileSync('npm', ['run', 'example'], { cwd: ROOT, stdio: 'ignore' });
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    rmSync(CACHE, { recursive: true, force: true });
  });

  it('a click selects a layer, the wheel scrolls the tree, y copies the path, and quitting turns the mouse off', async () => {
    const t = session('mouse');
    // 100x16: the tree shows 12 rows of layer 2's 20, so it can scroll; the left column is 42 wide.
    t.start(100, 16, '');
    await t.until((s) => s.includes('changes of L0') && s.includes('Files'), 'the inspector');
    expect(t.flag('mouse_any_flag')).toBe('1');
    expect(t.flag('mouse_sgr_flag')).toBe('1');

    // Tab to the tree first, so the click must also bring the focus back to the layers.
    t.keys('Tab');
    await t.until((s) => s.includes('▌Files'), 'the tree focused');
    t.report(0, 5, 4); // third layer row (row 1 is the title)
    t.report(0, 5, 4, 'm');
    let s = await t.until((x) => x.includes('L2: changes of L2'), 'layer 2 selected');
    expect(s).toContain('▌Layers');
    expect(s.split('\n')[3]).toMatch(/^● 2 /);

    const before = treeColumn(s, 42);
    expect(before[0]).toContain('── bin');
    t.report(65, 60, 8); // wheel down over the tree
    s = await t.until((x) => treeColumn(x, 42)[0] !== before[0], 'the tree scrolled');
    expect(treeColumn(s, 42).slice(0, 9)).toEqual(before.slice(3, 12));
    expect(s).toContain('L2: changes of L2'); // the wheel over the tree leaves the layer alone

    // y in the tree: OSC 52, which tmux takes into its paste buffer when set-clipboard is on.
    tmux('set-option', '-s', 'set-clipboard', 'on');
    t.report(0, 60, 4); // a click on the first row shown focuses the tree there
    s = await t.until((x) => x.includes('▌Files'), 'the tree focused by a click');
    t.keys('y');
    s = await t.until((x) => /copied \/\S+ to the clipboard/.test(x), 'the copy report');
    const copied = /copied (\/\S+) to the clipboard/.exec(s)![1]!;
    expect(copied).not.toBe('/bin'); // the scrolled window's first row, not the top of the tree
    const buffer = spawnSync('tmux', ['-L', SOCKET, 'show-buffer'], { encoding: 'utf8' });
    expect(buffer.stdout).toBe(copied);

    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');
    expect(t.flag('alternate_on')).toBe('0');
    expect(t.flag('mouse_any_flag')).toBe('0');
    expect(t.flag('mouse_sgr_flag')).toBe('0');
  });

  it('--no-mouse never turns mouse reporting on', async () => {
    const t = session('nomouse');
    t.start(100, 30, '--no-mouse');
    await t.until((s) => s.includes('changes of L0') && s.includes('Files'), 'the inspector');
    expect(t.flag('alternate_on')).toBe('1');
    expect(t.flag('mouse_any_flag')).toBe('0');
    t.keys('j');
    await t.until((s) => s.includes('L1: changes of L1'), 'keys still work');
    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');
  });

  it('a config with mouse: false turns it off too; a signal turns an enabled mouse off', async () => {
    const t = session('config');
    const dir = mkdtempSync(join(tmpdir(), 'inspect-mouse-config-'));
    const config = join(dir, 'config.yaml');
    execFileSync('sh', ['-c', `printf 'mouse: false\\ntheme: light\\n' > '${config}'`]);
    t.start(100, 30, `--config '${config}'`);
    await t.until((s) => s.includes('changes of L0'), 'the inspector');
    expect(t.flag('mouse_any_flag')).toBe('0');
    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');

    const pidFile = join(dir, 'pid');
    const cmd = `sh -c 'echo $$ > "$0"; exec env -u CI XDG_CACHE_HOME="$3" node "$1" "$2"' '${pidFile}' '${MAIN}' '${IMAGE}' '${CACHE}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', 'signal', '-x', '100', '-y', '30', cmd);
    const s2 = session('signal');
    await s2.until((s) => s.includes('changes of L0'), 'the inspector');
    expect(s2.flag('mouse_any_flag')).toBe('1');
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    await s2.until((x) => x.includes('EXIT:143'), 'exit on SIGTERM');
    expect(s2.flag('mouse_any_flag')).toBe('0');
    rmSync(dir, { recursive: true, force: true });
  });
});
