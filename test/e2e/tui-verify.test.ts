import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDockerArchive, buildTar, sha256 } from '../helpers/image-files.js';
import { inspector, MAIN, tmuxReady } from '../helpers/tmux.js';

const ready = tmuxReady('the tampered-image session');

describe.skipIf(!ready || !existsSync(MAIN))('the inspector on a tampered image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-verify-'));
  const file = join(dir, 'tampered.tar');
  const app = inspector({ name: 'verify', args: [file], cols: 160, rows: 30, env: { NO_COLOR: '' }, cwd: dir, join: true });
  const { keys, until } = app;
  afterAll(() => {
    app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the analysis, then a loud NOT VERIFIED line; quitting exits 2 with one line naming the file', async () => {
    const genuine = 'genuine-bytes-of-the-second-layer';
    const layers = [
      await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/base', body: 'base' }]),
      await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/payload', body: `${genuine}\n`.repeat(100) }]),
    ];
    const archive = await buildDockerArchive([{ tags: ['app:1'], layers }]);
    for (let at = archive.indexOf(genuine); at >= 0; at = archive.indexOf(genuine, at + 1)) archive.write('forged!', at, 'latin1');
    writeFileSync(file, archive);
    app.start();
    const s = await until((x) => x.includes('NOT VERIFIED'), 'the verification failure in the status bar');
    expect(s).toContain('Layers');
    expect(s).toMatch(/NOT VERIFIED: docker-archive:.*tampered\.tar: layer 1/);
    keys('q');
    const after = await until((x) => x.includes('EXIT:'), 'the exit code');
    expect(after).toContain('EXIT:2');
    const lines = after.split('\n').filter((l) => l.startsWith('inspect-tui:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/tampered\.tar: layer 1 \(sha256:[0-9a-f]{12}\): the layer's bytes do not match its diffID/);
    // Only the genuine base layer was cached (verified); nothing under the forged layer's claimed diffID, nothing beside the image.
    // (The base layer's entry may not be written yet when the user quits at once; the forged one never is.)
    const cacheDir = join(app.cache, 'inspect-tui');
    const cached = existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith('layer-')) : [];
    expect(cached.filter((f) => f !== `layer-${sha256(layers[0]!)}`)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['tampered.tar']);
  });
});
