import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, tmuxSession } from '../helpers/tmux.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'example-image.tar');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const CACHE = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));
const session = `inspect-findings-e2e-${process.pid}`;
const { tmux, keys, until } = tmuxSession(session);
if (!hasTmux) console.warn('skipping the tmux findings session: tmux is not installed');

describe.skipIf(!hasTmux)('the findings panel in tmux', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const cmd = `env -u CI NO_COLOR=1 XDG_CACHE_HOME='${CACHE}' node '${MAIN}' '${EXAMPLE}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '36', '-c', ROOT, cmd);
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(CACHE, { recursive: true, force: true });
  });

  it('e opens the findings, Enter jumps to the blamed layer and path, q quits', async () => {
    await until((s) => s.includes('changes of L0'), 'the inspector');
    keys('e');
    let s = await until((x) => x.includes('Go to the layer and path') && x.includes('wasted,'), 'the findings');
    // the example's largest waste: busybox copied to /usr/lib/busybox.bak by L3
    expect(s).toMatch(/duplicated +L3 +\/usr\/lib\/busybox\.bak/);
    expect(s).toMatch(/rewritten +L2→L4 +\/usr\/bin\/app .*chown -R/);
    keys('j', 'j'); // to the chown finding (the third)
    keys('Enter');
    s = await until((x) => x.includes('L4: changes of L4'), 'the blamed layer');
    // the cursor row is the path the finding names
    const cursor = s.split('\n').find((l) => l.includes('── app'));
    expect(cursor).toBeDefined();
    keys('q');
    await until((x) => x.includes('EXIT:0'), 'exit');
  });
});
