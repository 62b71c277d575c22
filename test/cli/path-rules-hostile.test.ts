import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDockerArchive, buildTar, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * A pull request controls both the image and `.dive-ci`: a glob and a path built to make a
 * backtracking matcher take minutes must still give the verdict in seconds.
 */
describe('path rules against a hostile image and configuration', () => {
  it('block: /**/node_modules/**/test/** over a file 3000 node_modules deep (a legal PAX name): the verdict in seconds', async () => {
    const deep = `${'node_modules/'.repeat(3000)}f`;
    const layer = await buildTar([{ name: deep, body: 'x' }, { name: 'app/node_modules/a/test/t.js', body: 'y' }]);
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'img.tar'), await buildDockerArchive([{ tags: ['deep:1'], layers: [layer] }]));
    writeFileSync(path.join(dir, '.dive-ci'), "rules:\n  lowestEfficiency: disabled\npaths:\n  block: ['/**/node_modules/**/test/**']\n  ignore: ['/**/x/**/x/**/x/**/x/**/x/**/x/**/y']\n");
    const start = Date.now();
    // Before matching went directory by directory this run took over a minute (every ancestor
    // of the deep file is tested, each in time that grows with its depth squared and more).
    const r = runCli(['--ci', '--json', 'out.json', 'docker-archive:img.tar'], { cwd: dir });
    const seconds = (Date.now() - start) / 1000;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  FAIL: paths.block: 1 blocked path present in the final filesystem\n    /app/node_modules/a/test (1 B, layer 0: ');
    expect(seconds).toBeLessThan(20);
  }, 120_000);
});
