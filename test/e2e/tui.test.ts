import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, tmuxSession } from '../helpers/tmux.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(ROOT, '..', 'shared', 'fixtures', 'images', 'edge.docker-archive.tar');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
// The sessions must not write to the user's analysis cache.
const CACHE = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));
const ready = hasTmux && existsSync(FIXTURE);
if (!ready) console.warn(`skipping the tmux session: ${hasTmux ? 'no fixture at ../shared/fixtures' : 'tmux is not installed'}`);

const session = `inspect-e2e-${process.pid}`;
const { tmux, keys, text, until } = tmuxSession(session);

describe.skipIf(!ready)('the built binary in tmux', () => {
  let cwd: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    cwd = mkdtempSync(join(tmpdir(), 'inspect-e2e-'));
    // CI unset in the child so it runs interactively; the shell prints the exit code after.
    const cmd = `env -u CI NO_COLOR= XDG_CACHE_HOME='${CACHE}' node '${MAIN}' '${FIXTURE}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '36', '-c', cwd, cmd);
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('opens, navigates, filters, toggles, searches, extracts, and quits leaving the terminal clean', async () => {
    await until((s) => s.includes('Layers') && s.includes('Files') && s.includes('changes of L0'), 'the inspector');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

    keys('j', 'j', 'j', 'j');
    await until((s) => s.includes('L4: changes of L4'), 'layer 4');
    keys('Tab', 'C-u');
    let s = await until((x) => x.includes('hiding unmodified'), 'unmodified hidden');
    expect(s).toContain('same');
    expect(s).not.toContain('── bin');

    keys('C-f');
    text('data/a');
    keys('Enter');
    s = await until((x) => x.includes('Filter: data/a') && !x.includes('── big.bin'), 'the filter');

    keys('/');
    text('same');
    keys('Enter');
    keys('f');
    s = await until((x) => /File history ─+ \/data\/a\/same/.test(x), 'file history of /data/a/same');
    expect(s).toMatch(/L5 chmod\/chown/);

    keys('C-e');
    await until((x) => x.includes('extracted /data/a/same from L4'), 'extraction report');
    expect(readFileSync(join(cwd, 'same'), 'utf8')).toBe('one\n');
    keys('C-e');
    await until((x) => x.includes('Overwrite 1 existing file (same)?'), 'overwrite prompt');
    keys('n');
    await until((x) => !x.includes('Overwrite'), 'prompt dismissed');

    keys('q');
    s = await until((x) => x.includes('EXIT:0'), 'exit');
    expect(s).not.toContain('Layers');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('1'); // cursor visible again
  });
});

describe.skipIf(!ready)('leaving on a signal', () => {
  const s2 = `${session}-sig`;
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', s2]);
  });
  it('SIGTERM restores the terminal and exits 143', async () => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const pidFile = join(mkdtempSync(join(tmpdir(), 'inspect-sig-')), 'pid');
    // The inner shell records its pid and becomes node, which stays in the foreground on the tty.
    const cmd = `sh -c 'echo $$ > "$0"; exec env -u CI XDG_CACHE_HOME="$3" node "$1" "$2"' '${pidFile}' '${MAIN}' '${FIXTURE}' '${CACHE}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', s2, '-x', '100', '-y', '30', cmd);
    const cap = () => tmux('capture-pane', '-t', s2, '-p');
    const end = Date.now() + 15000;
    while (!cap().includes('Layers') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(cap()).toContain('Layers');
    const pid = readFileSync(pidFile, 'utf8').trim();
    rmSync(dirname(pidFile), { recursive: true, force: true });
    process.kill(Number(pid), 'SIGTERM');
    while (!cap().includes('EXIT:') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(cap()).toContain('EXIT:143');
    expect(tmux('display', '-p', '-t', s2, '#{alternate_on}').trim()).toBe('0');
  });
});
