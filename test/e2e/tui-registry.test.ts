import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, tmuxSession } from '../helpers/tmux.js';
import { cleanupTemps, fixture, registrySkipReason, skopeoPush, startRegistry, tempDir, type RunningRegistry } from '../helpers/registry-harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const skip = !hasTmux ? 'tmux is not installed' : registrySkipReason();
if (skip) console.warn(`skipping the inspector on a registry image: ${skip}`);

const session = `inspect-e2e-registry-${process.pid}`;
const { tmux, until } = tmuxSession(session, { join: true });

describe.skipIf(skip !== undefined)('the inspector on an image pulled from a real registry', () => {
  let registry: RunningRegistry | undefined;
  let cache: string;
  beforeAll(async () => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    registry = await startRegistry({ storageDir: tempDir('tui-registry') });
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${registry.host}/fx/edge:1`);
    cache = mkdtempSync(join(tmpdir(), 'inspect-e2e-cache-'));
  }, 120_000);
  afterAll(async () => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    await registry?.stop();
    cleanupTemps();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('opens docker://127.0.0.1:PORT/fx/edge:1 with the same figures as the file, and quits cleanly', async () => {
    const ref = `docker://${registry!.host}/fx/edge:1`;
    const cmd = `env -u CI NO_COLOR= XDG_CACHE_HOME='${cache}' node '${MAIN}' '${ref}'; echo "EXIT:$?"; exec sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', cmd);
    const s = await until((x) => x.includes('Layers') && x.includes('Files') && x.includes('Image efficiency score'), 'the inspector');
    expect(s).toContain(`Image: ${ref}`);
    // the edge image's figures, as its archive files give them (81.2 %, 1.6 MB wasted)
    expect(s).toMatch(/Image efficiency score: 81\.2 %/);
    expect(s).toMatch(/Potential wasted space: 1\.6 MB/);
    expect(s).toContain('/data/big.bin');
    tmux('send-keys', '-t', session, 'q');
    const after = await until((x) => x.includes('EXIT:'), 'the exit');
    expect(after).toContain('EXIT:0');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
  });
});
