import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';

const run = promisify(execFile);

/**
 * `npm run build` used to delete dist/ first and take ~20 s to write it again: an inspector
 * started meanwhile died with "internal error: Cannot find module …". The build now writes a
 * temporary folder and renames it into place. Here a build runs (into folders of the test's own,
 * so the suite's dist/ is left alone) while its program is started again and again: every run
 * must work, and dist/ must never be missing.
 */
describe('npm run build', () => {
  it('never leaves dist/ missing or half-written while it runs: a program started meanwhile always works', async () => {
    const dir = tmpDir('inspect-tui-build-swap-');
    const dist = path.join(dir, 'dist');
    const dev = path.join(dir, 'build');
    const build = () => spawn(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--dist', dist, '--build', dev], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const finished = (child: ReturnType<typeof build>) =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.on('exit', resolve);
      });
    // Start from the checkout's build (the test command built it), as a developer's tree would.
    cpSync(path.join(ROOT, 'dist'), dist, { recursive: true, filter: (f) => !f.includes('inspect-tui-linux-x64') && !f.includes(`${path.sep}image`) });
    cpSync(path.join(ROOT, 'build'), dev, { recursive: true });
    const cli = path.join(dist, 'cli.js');
    expect(existsSync(cli)).toBe(true);

    const second = build();
    let done = false;
    const exited = finished(second).then((code) => {
      done = true;
      return code;
    });
    let runs = 0;
    const failures: string[] = [];
    let missing = 0;
    while (!done) {
      if (!existsSync(cli)) missing++;
      try {
        const r = await run(process.execPath, [cli, '--version'], { timeout: 30_000 });
        if (r.stdout.trim() === '') failures.push('no version printed');
      } catch (e) {
        failures.push(String((e as { stderr?: string }).stderr ?? e).split('\n')[0]!);
      }
      runs++;
    }
    expect(await exited).toBe(0);
    console.log(`${runs} runs of dist/cli.js --version during a build, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(missing).toBe(0);
    expect(runs).toBeGreaterThan(10);
    // and the build leaves nothing of its own beside the folders
    expect(readdirSync(dir).sort()).toEqual(['build', 'dist']);
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
