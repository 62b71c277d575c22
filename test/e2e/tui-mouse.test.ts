import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, killServer, startInspector, tmuxReady, type Inspector, type InspectorOptions } from '../helpers/tmux.js';

const ready = tmuxReady('the mouse sessions');

// A tmux server of its own (no user config): `set-clipboard on` below changes nothing for anyone else.
const SOCKET = `inspect-mouse-${process.pid}`;
const started: Inspector[] = [];

/** The inspector on the example image, in the server of its own. */
function session(name: string, cols: number, rows: number, args: string[] = [], more: Partial<InspectorOptions> = {}) {
  const t = startInspector({ name, args: [...args, EXAMPLE], cols, rows, socket: SOCKET, ...more });
  started.push(t);
  /** An SGR mouse report typed into the pane, as the terminal would send it (1-based cell). */
  const report = (b: number, col: number, row: number, end: 'M' | 'm' = 'M') => t.text(`\x1b[<${b};${col};${row}${end}`);
  return Object.assign(t, { report });
}

/** The right column's rows (the file tree) of a captured screen, from the first tree row (below the title, the path line and the column headers). */
const treeColumn = (s: string, leftWidth: number) =>
  s
    .split('\n')
    .slice(3)
    .map((l) => l.slice(leftWidth + 1).trimEnd());

describe.skipIf(!ready)('the mouse, in tmux', () => {
  afterAll(() => {
    for (const t of started) t.stop();
    killServer(SOCKET);
  });

  it('a click selects a layer, the wheel scrolls the tree, y copies the path, and quitting turns the mouse off', async () => {
    // 100x16: the tree shows 12 rows of layer 2's 20, so it can scroll; the left column is 42 wide.
    const t = session('mouse', 100, 16);
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
    t.tmux('set-option', '-s', 'set-clipboard', 'on');
    t.report(0, 60, 4); // a click on the first row shown focuses the tree there
    s = await t.until((x) => x.includes('▌Files'), 'the tree focused by a click');
    t.keys('y');
    s = await t.until((x) => /copied \/\S+ to the clipboard/.test(x), 'the copy report');
    const copied = /copied (\/\S+) to the clipboard/.exec(s)![1]!;
    expect(copied).not.toBe('/bin'); // the scrolled window's first row, not the top of the tree
    expect(t.tmux('show-buffer')).toBe(copied);

    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');
    expect(t.flag('alternate_on')).toBe('0');
    expect(t.flag('mouse_any_flag')).toBe('0');
    expect(t.flag('mouse_sgr_flag')).toBe('0');
  });

  it('--no-mouse never turns mouse reporting on', async () => {
    const t = session('nomouse', 100, 30, ['--no-mouse']);
    await t.until((s) => s.includes('changes of L0') && s.includes('Files'), 'the inspector');
    expect(t.flag('alternate_on')).toBe('1');
    expect(t.flag('mouse_any_flag')).toBe('0');
    t.keys('j');
    await t.until((s) => s.includes('L1: changes of L1'), 'keys still work');
    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');
  });

  it('a config with mouse: false turns it off too; a signal turns an enabled mouse off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-mouse-config-'));
    const config = join(dir, 'config.yaml');
    execFileSync('sh', ['-c', `printf 'mouse: false\\ntheme: light\\n' > '${config}'`]);
    const t = session('config', 100, 30, ['--config', config]);
    await t.until((s) => s.includes('changes of L0'), 'the inspector');
    expect(t.flag('mouse_any_flag')).toBe('0');
    t.keys('q');
    await t.until((x) => x.includes('EXIT:0'), 'exit');

    const s2 = session('signal', 100, 30, [], { recordPid: true });
    await s2.until((s) => s.includes('changes of L0'), 'the inspector');
    expect(s2.flag('mouse_any_flag')).toBe('1');
    process.kill(s2.pid(), 'SIGTERM');
    await s2.until((x) => x.includes('EXIT:143'), 'exit on SIGTERM');
    expect(s2.flag('mouse_any_flag')).toBe('0');
    rmSync(dir, { recursive: true, force: true });
  });
});
