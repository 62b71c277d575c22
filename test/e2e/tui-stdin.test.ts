import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTmux, tmux, tmuxSession } from '../helpers/tmux.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const EXAMPLE = join(ROOT, 'examples', 'example-image.tar');
if (!hasTmux) console.warn('skipping the inspector on stdin: tmux is not installed');

const session = `inspect-e2e-stdin-${process.pid}`;
const { keys, until } = tmuxSession(session);
const cache = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));

describe.skipIf(!hasTmux)('the inspector on an image piped to stdin', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(cache, { recursive: true, force: true });
  });

  it('reads the image from the pipe and the keys from the terminal', async () => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const cmd = `cat '${EXAMPLE}' | env -u CI NO_COLOR= XDG_CACHE_HOME='${cache}' node '${MAIN}' -; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '36', cmd);
    const s = await until((x) => x.includes('L0: changes of L0'), 'the inspector');
    expect(s).toContain('busybox');
    keys('j');
    await until((x) => x.includes('L1: changes of L1'), 'layer 1 after a key from the terminal');
    keys('q');
    expect(await until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
