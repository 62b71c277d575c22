import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { packedTarball } from './helpers.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

/**
 * `npx` of the packed tarball as a first-time user meets it: an empty npm cache of its own,
 * offline (the tarball is local and needs nothing else). The time is printed; the goal (≤ 8 s)
 * is the benchmark's to judge (`npm run bench`), not this test's.
 */
describe('npx inspect-tui', () => {
  it('runs from a cold npm cache, offline: --version, then the CI gate on the example', () => {
    const tgz = packedTarball();
    const npx = (args: string[]) => {
      const cache = path.join(tmpDir('inspect-tui-npx-'), 'cache');
      const t0 = performance.now();
      const r = spawnSync('npx', ['--yes', '--offline', '--cache', cache, '--package', tgz, 'inspect-tui', ...args], { cwd: tmpDir('inspect-tui-npx-cwd-'), encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true', npm_config_update_notifier: 'false' } });
      return { ...r, ms: performance.now() - t0 };
    };
    const v = npx(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const ci = npx(['--ci', '--no-cache', EXAMPLE]);
    expect(ci.status).toBe(1); // the example breaks dive's default rules
    expect(ci.stdout).toMatch(/^FAIL \[pass:\d+ fail:[1-9]\d* skip:\d+\]$/m);
    console.log(`cold npx: --version ${(v.ms / 1000).toFixed(1)} s, --ci on the example ${(ci.ms / 1000).toFixed(1)} s`);
  }, 240_000);
});
