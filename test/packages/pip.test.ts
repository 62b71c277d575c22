import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/image-files.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { hasTool, ownerLine, packagesOf, refLines, run } from '../helpers/packages.js';
import { dpkg, initDpkgRoot } from '../helpers/deb-build.js';

// Real Python databases: wheels built locally with setuptools and wheel, installed by pip into a
// virtual environment (install, upgrade) and with --target; and Debian's own python3-* packages
// (a dist-info and an egg-info) fetched with apt-get and unpacked by dpkg.
const PY = '/usr/bin/python3';
const HAVE_PIP = existsSync(PY) && hasTool(PY, ['-c', 'import setuptools, wheel, venv']) && hasTool(PY, ['-m', 'pip', '--version']);
const HAVE_APT = hasTool('apt-get', ['--version']) && hasTool('dpkg', ['--version']);

describe.skipIf(!HAVE_PIP)('pip packages installed by pip', () => {
  const work = tmpDir('wheels-');
  const pip = (...args: string[]) => run(PY, ['-m', 'pip', '--disable-pip-version-check', '--no-cache-dir', ...args]);

  /** Builds a wheel of a one-module project with a console script; returns its path. */
  const wheel = (name: string, version: string, module: string) => {
    const src = path.join(work, `${name}-${version}`);
    mkdirSync(path.join(src, module), { recursive: true });
    writeFileSync(path.join(src, 'setup.py'), `from setuptools import setup\nsetup(name=${JSON.stringify(name)}, version=${JSON.stringify(version)}, packages=[${JSON.stringify(module)}], entry_points={"console_scripts": ["${module}-cli=${module}:main"]})\n`);
    writeFileSync(path.join(src, module, '__init__.py'), `def main():\n    print(${JSON.stringify(version)})\n`);
    const out = path.join(work, 'dist');
    // setuptools' own bdist_wheel: the same wheel `pip wheel` would build, seconds sooner.
    run(PY, ['setup.py', '-q', 'bdist_wheel', '-d', out], { cwd: src });
    return path.join(out, readdirSync(out).find((f) => f.startsWith(`${name}-${version}-`))!);
  };

  it('reads a virtual environment install, an upgrade and a --target install, layer by layer', async () => {
    const w1 = wheel('Tiny_Pkg', '1.0', 'tiny_pkg');
    const w2 = wheel('Tiny_Pkg', '2.0.post1', 'tiny_pkg');
    const other = wheel('other.thing', '0.1rc1', 'other_thing');
    const t = new LayerTrees();
    const venv = path.join(t.root, 'opt/venv');
    run(PY, ['-m', 'venv', '--without-pip', venv]);
    const inVenv = (...args: string[]) => pip('--python', path.join(venv, 'bin/python'), ...args);
    inVenv('install', '--no-index', '--no-deps', '-q', w1);
    await t.commit('pip install tiny-pkg==1.0');
    inVenv('install', '--no-index', '--no-deps', '-q', w2);
    await t.commit('pip install tiny-pkg==2.0.post1');
    pip('install', '--no-index', '--no-deps', '-q', '--target', path.join(t.root, 'usr/local/lib/python3/site-packages'), other);
    await t.commit('pip install --target … other.thing');

    const site = path.relative(t.root, path.join(venv, 'lib', readdirSync(path.join(venv, 'lib'))[0]!, 'site-packages'));
    // What pip lists in each site directory: the names as the metadata spells them.
    const listed = [site, 'usr/local/lib/python3/site-packages'].flatMap((s) => JSON.parse(pip('list', '--format=json', '--path', path.join(t.root, s))) as { name: string; version: string }[]);
    expect(listed).toEqual([{ name: 'Tiny-Pkg', version: '2.0.post1' }, { name: 'other.thing', version: '0.1rc1' }]);

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => ({ name: p.name, version: p.version }))).toEqual(listed);
    expect(refLines(result.packages)).toEqual([`pip Tiny-Pkg 2.0.post1 ${site}/Tiny_Pkg-2.0.post1.dist-info`, `pip other.thing 0.1rc1 usr/local/lib/python3/site-packages/other.thing-0.1rc1.dist-info`]);
    expect(result.packages[0]!.layer).toBe(1);
    expect(result.layers.map((l) => [refLines(l.added), refLines(l.removed), l.changed.map((c) => `${c.before.path} -> ${c.after.path}`)])).toEqual([
      [[`pip Tiny-Pkg 1.0 ${site}/Tiny_Pkg-1.0.dist-info`], [], []],
      [[], [], [`${site}/Tiny_Pkg-1.0.dist-info -> ${site}/Tiny_Pkg-2.0.post1.dist-info`]],
      [[`pip other.thing 0.1rc1 usr/local/lib/python3/site-packages/other.thing-0.1rc1.dist-info`], [], []],
    ]);
    // RECORD lists the script pip wrote in the environment's bin, outside site-packages.
    expect(ownerLine(index, result, 0, 'opt/venv/bin/tiny_pkg-cli')).toBe('pip Tiny-Pkg 1.0');
    expect(ownerLine(index, result, 1, `${site}/tiny_pkg/__init__.py`)).toBe('pip Tiny-Pkg 2.0.post1');
    expect(ownerLine(index, result, 2, 'usr/local/lib/python3/site-packages/other_thing/__init__.py')).toBe('pip other.thing 0.1rc1');
    expect(ownerLine(index, result, 2, 'opt/venv/bin/activate')).toBeUndefined();
    // Files and sizes: what RECORD lists that is a regular file on disk (pip's own record of its install).
    for (const p of result.packages) {
      const record = readFileSync(path.join(t.root, p.path!, 'RECORD'), 'utf8').split('\n').filter((l) => l !== '').map((l) => path.resolve(t.root, path.dirname(p.path!), l.split(',')[0]!));
      const files = record.filter((f) => existsSync(f) && lstatSync(f).isFile());
      expect(files.length).toBeGreaterThanOrEqual(5);
      expect({ files: p.files, sizeBytes: p.sizeBytes }).toEqual({ files: files.length, sizeBytes: files.reduce((n, f) => n + lstatSync(f).size, 0) });
    }
  });

  it.skipIf(!HAVE_APT)("leaves Debian's python3-* dist-info and egg-info to dpkg, and reads an egg-info on its own", async () => {
    const debs = tmpDir('debian-python-');
    run('apt-get', ['download', '-q', 'python3-packaging', 'python3-six'], { cwd: debs });
    const [packaging, six] = ['python3-packaging_', 'python3-six_'].map((p) => path.join(debs, readdirSync(debs).find((f) => f.startsWith(p))!));
    const version = (deb: string) => run('dpkg-deb', ['-f', deb, 'Version']).trim();
    const t = new LayerTrees();
    initDpkgRoot(t.root);
    // Unpacked only: configuring would run py3compile, which the bare root does not have.
    dpkg(t.root, '--force-depends', '--unpack', packaging!, six!);
    await t.commit('dpkg --unpack python3-packaging python3-six');

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(refLines(result.packages)).toEqual([`dpkg python3-packaging ${version(packaging!)}`, `dpkg python3-six ${version(six!)}`]);
    const metadata = readdirSync(path.join(t.root, 'usr/lib/python3/dist-packages')).find((n) => n.endsWith('.dist-info'))!;
    expect(ownerLine(index, result, 0, `usr/lib/python3/dist-packages/${metadata}/METADATA`)).toBe(`dpkg python3-packaging ${version(packaging!)}`);

    // The same egg-info extracted without dpkg's database is a pip package of its own.
    const loose = new LayerTrees();
    run('dpkg-deb', ['-x', six!, loose.root]);
    await loose.commit('extract python3-six');
    const alone = await packagesOf(loose.layers);
    const egg = readdirSync(path.join(loose.root, 'usr/lib/python3/dist-packages')).find((n) => n.endsWith('.egg-info'))!;
    expect(refLines(alone.result.packages)).toEqual([`pip six ${egg.slice('six-'.length, -'.egg-info'.length)} usr/lib/python3/dist-packages/${egg}`]);
  });
});
