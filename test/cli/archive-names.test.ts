import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveFileOf, isRemote, parseReference } from '../../src/reference/reference.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * A bare argument that can only be a file (`nope.tar`, `img.tar:v1`) is reported as a missing
 * file, in one line, without asking a daemon or Docker Hub about it. The environment points
 * DOCKER_HOST at a socket that does not exist: had the name been looked up, the message would
 * name the daemon and the registry.
 */
const NO_DAEMON = { DOCKER_HOST: 'unix:///nonexistent/inspect-tui-test.sock', CONTAINERD_ADDRESS: '/nonexistent/containerd.sock', HTTPS_PROXY: 'http://127.0.0.1:9' };

describe('archiveFileOf', () => {
  it.each([
    ['nope.tar', 'nope.tar'],
    ['img.tar:v1', 'img.tar'],
    ['dist/app.tar.gz', 'dist/app.tar.gz'],
    ['app.TGZ:latest', 'app.TGZ'],
    ['layout.oci', 'layout.oci'],
    // a registry host: a name the registry may well have
    ['localhost:5000/app.tar', undefined],
    ['registry.example/team/app.tar:v1', undefined],
    ['localhost/app.tar', undefined],
    // names that do not end so
    ['alpine', undefined],
    ['alpine:3.20', undefined],
    ['app.tar.xz', undefined],
    ['tar', undefined],
  ])('%s → %s', (arg, file) => {
    expect(archiveFileOf(arg)).toBe(file);
  });

  it('such a name is not remote: no progress lines before its error', () => {
    expect(isRemote(parseReference('nope.tar'), () => false)).toBe(false);
    expect(isRemote(parseReference('alpine'), () => false)).toBe(true);
  });
});

describe('a bare archive name that does not exist', () => {
  it.each([
    ['nope.tar', 'inspect-tui: nope.tar: no such file'],
    ['img.tar:v1', 'inspect-tui: img.tar:v1: no such file img.tar'],
    ['dist/app.tgz', 'inspect-tui: dist/app.tgz: no such file'],
    ['layout.oci', 'inspect-tui: layout.oci: no such file'],
  ])('%s: one line, exit 2, neither daemon nor registry', (arg, line) => {
    const dir = tmpDir();
    const r = runCli(['--ci', arg], { cwd: dir, env: NO_DAEMON });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
  });

  it('an existing archive with :TAG says how to pick the tag', () => {
    const dir = tmpDir();
    copyFileSync(path.join(ROOT, 'examples', 'example-image.tar'), path.join(dir, 'img.tar'));
    const r = runCli(['--ci', 'img.tar:v1'], { cwd: dir, env: NO_DAEMON });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('inspect-tui: img.tar:v1: no such file (to pick v1 from img.tar, write docker-archive:img.tar:v1 or oci-archive:img.tar:v1)\n');
  });

  it('--source docker still asks the daemon, as the user said', () => {
    const r = runCli(['--ci', '--source', 'docker', 'nope.tar'], { cwd: tmpDir(), env: NO_DAEMON });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/daemon/);
  });
});
