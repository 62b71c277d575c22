import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Outputs never touch inputs: before anything is removed, read or pulled, every output path
 * (--json, each --report FILE, diff --json) is compared with every input (each image that is a
 * file or directory, whatever its transport prefix; the rules file; the key bindings file; a CA
 * certificate; the other outputs) by the path it resolves to and by device and inode. A clash is
 * one line naming both, exit 2, and every file stays as it was.
 */

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const RULES = 'rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n';

/** Every file under `dir` with its bytes and inode, to compare before and after a run. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const s = statSync(p, { throwIfNoEntry: false });
      const rel = path.relative(dir, p);
      if (!s) out[rel] = 'dangling';
      else if (s.isDirectory()) {
        out[rel] = `dir ${s.ino}`;
        walk(p);
      } else out[rel] = `${s.ino} ${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

/** A working directory with an image `img.tar` (and `old.tar`), an OCI layout `layout/`, a rules file, key bindings and a stale report. */
function workspace(): string {
  const dir = tmpDir();
  copyFileSync(EXAMPLE, path.join(dir, 'img.tar'));
  copyFileSync(EXAMPLE, path.join(dir, 'old.tar'));
  mkdirSync(path.join(dir, 'layout'));
  writeFileSync(path.join(dir, 'layout', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(path.join(dir, '.dive-ci'), RULES);
  writeFileSync(path.join(dir, 'keys.yaml'), 'theme: light\n');
  writeFileSync(path.join(dir, 'stale.xml'), 'from an earlier run\n');
  symlinkSync('img.tar', path.join(dir, 'link.tar'));
  linkSync(path.join(dir, 'img.tar'), path.join(dir, 'hard.tar'));
  return dir;
}

describe('an output that is an input: one line naming both, exit 2, nothing touched', () => {
  it.each<[string, string[], RegExp]>([
    // the report of issue 21: the JSON over the image it analyses
    ['--json over the image', ['--ci', '--json', 'img.tar', 'img.tar'], /^--json img\.tar: the same file as the image img\.tar;/],
    ['--report over the image', ['--report', 'junit=img.tar', 'img.tar'], /^--report junit=img\.tar: the same file as the image img\.tar;/],
    // one file written two ways
    ['./x against x', ['--ci', '--json', './img.tar', 'img.tar'], /^--json \.\/img\.tar: the same file as the image img\.tar;/],
    ['an absolute path against a relative one', ['--ci', '--report', 'sarif=img.tar', 'IMG_ABS'], /^--report sarif=img\.tar: the same file as the image .*img\.tar;/],
    // a transport prefix does not hide the file
    ['docker-archive:x', ['--ci', '--json', 'img.tar', 'docker-archive:img.tar'], /the same file as the image docker-archive:img\.tar;/],
    ['oci-archive:x:tag', ['--ci', '--json', 'img.tar', 'oci-archive:img.tar:app:1'], /the same file as the image oci-archive:img\.tar:app:1;/],
    ['oci:DIR', ['--ci', '--json', 'layout', 'oci:layout'], /^--json layout: the same file as the image oci:layout;/],
    ['oci:DIR:REF with a trailing slash', ['--ci', '--json', 'layout/', 'oci:layout:v1'], /^--json layout\/: the same file as the image oci:layout:v1;/],
    // links: the same file under another name
    ['a symbolic link to the image', ['--ci', '--json', 'link.tar', 'img.tar'], /^--json link\.tar: the same file as the image img\.tar;/],
    ['the image through a symbolic link', ['--ci', '--json', 'img.tar', 'link.tar'], /^--json img\.tar: the same file as the image link\.tar;/],
    ['a hard link to the image', ['--ci', '--json', 'hard.tar', 'img.tar'], /^--json hard\.tar: the same file as the image img\.tar;/],
    // an image among several, from a glob
    ['a file a glob expands to', ['--ci', '--report', 'codequality=old.tar', '*.tar'], /^--report codequality=old\.tar: the same file as the image old\.tar;/],
    // configuration files are inputs too (issue 21, point 2)
    ['the rules file', ['--report', 'markdown=.dive-ci', 'img.tar'], /^--report markdown=\.dive-ci: the same file as the rules file \.dive-ci;/],
    ['--ci-config', ['--ci', '--ci-config', 'keys.yaml', '--json', './keys.yaml', 'img.tar'], /^--json \.\/keys\.yaml: the same file as the rules file keys\.yaml;/],
    ['the key bindings file', ['--ci', '--config', 'keys.yaml', '--json', 'keys.yaml', 'img.tar'], /^--json keys\.yaml: the same file as the key bindings file keys\.yaml;/],
    ['a CA certificate', ['--ci', '--ca-cert', 'keys.yaml', '--report', 'junit=keys.yaml', 'img.tar'], /^--report junit=keys\.yaml: the same file as the CA certificate keys\.yaml;/],
    // the Dockerfile named, or the default ones looked for in the working directory
    ['--dockerfile', ['--ci', '--dockerfile', 'keys.yaml', '--report', 'sarif=keys.yaml', 'img.tar'], /^--report sarif=keys\.yaml: the same file as the Dockerfile keys\.yaml;/],
    ['the default Dockerfile', ['--ci', '--json', 'Dockerfile', 'img.tar'], /^--json Dockerfile: the same file as the Dockerfile Dockerfile;/],
    // two outputs in one file, spelt differently
    ['two outputs', ['--ci', '--json', 'stale.xml', '--report', 'junit=./stale.xml', 'img.tar'], /^--report junit=\.\/stale\.xml: the same file as --json stale\.xml;/],
    // diff: its JSON against either image
    ['diff --json over NEW', ['diff', '--json', 'img.tar', 'old.tar', 'img.tar'], /^--json img\.tar: the same file as NEW img\.tar;/],
    ['diff --json over OLD, through a link', ['diff', '--json', 'link.tar', 'img.tar', 'old.tar'], /^--json link\.tar: the same file as OLD img\.tar;/],
    ['diff --json over the rules file', ['diff', '--json', '.dive-ci', 'img.tar', 'old.tar'], /^--json \.dive-ci: the same file as the rules file \.dive-ci;/],
  ])('%s', (_, args, msg) => {
    const dir = workspace();
    const before = snapshot(dir);
    const r = runCli(
      args.map((a) => (a === 'IMG_ABS' ? path.join(dir, 'img.tar') : a)),
      // no daemon and no registry: a name that misses as a file must not be looked up anywhere
      { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent.sock', CI: '' } },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.replace(/^inspect-tui: /, '')).toMatch(msg);
    // nothing was removed or written, not even the stale report another output would replace
    expect(snapshot(dir)).toEqual(before);
  });

  it('outputs beside the inputs are written as before', () => {
    const dir = workspace();
    const r = runCli(['--ci', '--quiet', '--json', 'out.json', '--report', 'junit=stale.xml', 'img.tar'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0); // the rules file relaxes dive's defaults
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')).schemaVersion).toBe(1);
    expect(readFileSync(path.join(dir, 'stale.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(readFileSync(path.join(dir, 'img.tar'))).toEqual(readFileSync(EXAMPLE));
    expect(readFileSync(path.join(dir, '.dive-ci'), 'utf8')).toBe(RULES);
  });
});
