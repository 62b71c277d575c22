import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/image-files.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { onDisk, ownerLine, packagesOf, refLines, run } from '../helpers/packages.js';

// Real node_modules trees: tiny packages packed with `npm pack` and installed by `npm install`
// from those tarballs, offline (no registry).
describe('npm packages installed by npm', () => {
  const work = tmpDir('npm-packs-');
  const cache = path.join(work, 'cache');
  const npm = (cwd: string, ...args: string[]) => run('npm', [...args, '--offline', '--no-audit', '--no-fund', '--cache', cache], { cwd });

  /** Packs a package with a name, version, index.js of `size` bytes and dependencies; returns the tarball's path. */
  const pack = (name: string, version: string, size: number, dependencies: Record<string, string> = {}) => {
    const dir = path.join(work, `${name.replace('/', '+')}-${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, dependencies }));
    writeFileSync(path.join(dir, 'index.js'), 'x'.repeat(size));
    const file = run('npm', ['pack', '--silent', '--pack-destination', work, '--cache', cache], { cwd: dir }).trim().split('\n').pop()!;
    return path.join(work, file);
  };

  /** What npm itself lists: `name version location` of every installed package (`npm query '*'`). */
  const npmQuery = (app: string) =>
    (JSON.parse(run('npm', ['query', '*'], { cwd: app })) as { name: string; version: string; location: string }[])
      .filter((p) => p.location !== '')
      .map((p) => `npm ${p.name} ${p.version} app/${p.location}`)
      .sort();


  it('reads nested and scoped packages, an upgrade and an uninstall, layer by layer', async () => {
    const b1 = pack('pkg-b', '1.0.0', 100);
    const b2 = pack('pkg-b', '2.0.0', 200);
    const a = pack('pkg-a', '1.0.0', 300, { 'pkg-b': `file:${b2}` });
    const c1 = pack('@scope/pkg-c', '3.1.0', 400);
    const c2 = pack('@scope/pkg-c', '3.2.0-beta.1', 450);

    const t = new LayerTrees();
    const app = path.join(t.root, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.1', dependencies: { 'pkg-a': `file:${a}`, 'pkg-b': `file:${b1}`, '@scope/pkg-c': `file:${c1}` } }));
    npm(app, 'install');
    await t.commit('npm install');
    const seen = [npmQuery(app)];
    npm(app, 'install', `file:${c2}`);
    await t.commit('npm install @scope/pkg-c@3.2.0-beta.1');
    seen.push(npmQuery(app));
    npm(app, 'uninstall', 'pkg-b');
    await t.commit('npm uninstall pkg-b');
    seen.push(npmQuery(app));

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(seen[0]).toEqual([
      'npm @scope/pkg-c 3.1.0 app/node_modules/@scope/pkg-c',
      'npm pkg-a 1.0.0 app/node_modules/pkg-a',
      'npm pkg-b 1.0.0 app/node_modules/pkg-b',
      'npm pkg-b 2.0.0 app/node_modules/pkg-a/node_modules/pkg-b',
    ]);
    // The final packages are what npm lists, and each one's size is its files on disk.
    expect(refLines(result.packages).sort()).toEqual(seen[2]);
    for (const p of result.packages) expect(p.sizeBytes, p.path!).toBe(onDisk(path.join(t.root, p.path!)).sizeBytes);
    const pkgA = result.packages.find((p) => p.name === 'pkg-a')!;
    expect(pkgA).toMatchObject({ layer: 0, files: 2, sizeBytes: 300 + lstatSync(path.join(t.root, 'app/node_modules/pkg-a/package.json')).size });

    const layer0 = refLines(result.layers[0]!.added).sort();
    expect(layer0).toEqual(seen[0]);
    expect(result.layers[1]!.changed.map((c) => `${c.after.name} ${c.before.version} -> ${c.after.version}`)).toEqual(['@scope/pkg-c 3.1.0 -> 3.2.0-beta.1']);
    // What the uninstall did, as npm's own listings before and after it say.
    const gone = seen[1]!.filter((l) => !seen[2]!.includes(l));
    const come = seen[2]!.filter((l) => !seen[1]!.includes(l));
    expect(refLines(result.layers[2]!.removed).sort()).toEqual(gone.filter((l) => !come.some((c) => c.split(' ')[3] === l.split(' ')[3])));
    expect(gone).toContain('npm pkg-b 1.0.0 app/node_modules/pkg-b');

    expect(ownerLine(index, result, 0, 'app/node_modules/pkg-a/index.js')).toBe('npm pkg-a 1.0.0');
    expect(ownerLine(index, result, 0, 'app/node_modules/pkg-a/node_modules/pkg-b/index.js')).toBe('npm pkg-b 2.0.0');
    expect(ownerLine(index, result, 0, 'app/node_modules/@scope/pkg-c/package.json')).toBe('npm @scope/pkg-c 3.1.0');
    expect(ownerLine(index, result, 1, 'app/node_modules/@scope/pkg-c/package.json')).toBe('npm @scope/pkg-c 3.2.0-beta.1');
    expect(ownerLine(index, result, 0, 'app/node_modules/.package-lock.json')).toBeUndefined();
    expect(ownerLine(index, result, 0, 'app/package.json')).toBeUndefined(); // the project itself is no installed package
  });
});
