import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBuildCli, splitBuildArgs, storeFlags } from '../../src/cli/build-command.js';
import { BASE_NAME, buildahSkipReason, startBuildah, type Buildah } from '../helpers/buildah.js';
import { tmpDir } from '../helpers/image-files.js';
import { startPodmanService } from '../helpers/podman-harness.js';
import { hasTmux, killServer, startInspector } from '../helpers/tmux.js';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/run-cli.js';

/**
 * `inspect-tui build` with the real engines: Buildah and Podman build into a private store (the
 * buildah helper's: `--root`/`--runroot` under a temporary directory, the vfs driver, chroot
 * isolation, the base image pulled from the fixtures, nothing from a network). The store flags
 * are the engine's arguments, written after ours, so passing them through is part of the test:
 * without them the engine would build in, and read back from, the host's store.
 */

const skip = buildahSkipReason();

const CONTAINERFILE = `FROM ${BASE_NAME}\nRUN mkdir -p /app && echo built > /app/hello && rm -f /bin/true\nCOPY data.bin /app/data.bin\n`;

type Export = { image: { reference: string; source: string }; summary: { layerCount: number; sizeBytes: number; wastedBytes: number; fileCount: number } };

describe.skipIf(skip !== undefined)('inspect-tui build with buildah and podman', () => {
  let b: Buildah;
  let ctxDir: string;
  let store: string[];
  let policy: string;
  // the build's own temporary directory: whatever build leaves there is a leak
  let tmp: string;

  beforeAll(async () => {
    b = await startBuildah();
    ctxDir = path.join(b.dir, 'ctx-cli');
    const files: Record<string, string> = { Containerfile: CONTAINERFILE, 'data.bin': 'x'.repeat(50_000), 'Failing.Containerfile': `FROM ${BASE_NAME}\nRUN false\n`, 'CopyOnly.Containerfile': `FROM ${BASE_NAME}\nCOPY data.bin /app/data.bin\n` };
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(ctxDir);
    for (const [n, t] of Object.entries(files)) writeFileSync(path.join(ctxDir, n), t);
    store = ['--root', path.join(b.dir, 'root'), '--runroot', path.join(b.dir, 'run'), '--storage-driver', 'vfs'];
    policy = path.join(b.dir, 'policy.json');
    tmp = tmpDir('inspect-tui-build-tmp-');
  }, 120_000);

  afterAll(() => b?.close());

  const cli = (args: string[]) => runCli(args, { cwd: b.dir, env: { TMPDIR: tmp, BUILDAH_ISOLATION: 'chroot' } });

  it('buildah: builds, gates the image it built, names it by its tag, leaves nothing behind', async () => {
    const json = path.join(b.dir, 'built.json');
    const r = cli(['build', '--engine', 'buildah', '--ci', '--json', json, ...store, '--signature-policy', policy, '--isolation', 'chroot', '--pull=never', '-t', 'localhost/built:1', ctxDir]);
    expect([0, 1], r.stderr).toContain(r.code);
    // the engine's output went to stderr; stdout holds only the report
    expect(r.stderr).toContain('STEP 1/3: FROM');
    expect(r.stdout).toMatch(/^Image: localhost\/built:1\n/);
    expect(r.stdout).not.toContain('STEP');
    const built = JSON.parse(readFileSync(json, 'utf8')) as Export;
    expect(built.image.reference).toBe('localhost/built:1');

    // the same image as buildah itself writes it out
    const pushed = await b.push('localhost/built:1');
    const direct = JSON.parse(runCli(['--ci', '--quiet', '--json', '-', pushed]).stdout) as Export;
    expect(built.summary).toEqual(direct.summary);
    expect(built.summary.layerCount).toBe(2); // the base, and buildah's one layer for the build's steps
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);

  it.skipIf(!hasTmux)('in a terminal, the built image opens in the inspector, named by its tag; quitting removes the archive', async () => {
    const socket = `inspect-tui-build-${process.pid}`;
    const i = startInspector({
      name: 'build',
      args: ['build', '--engine', 'buildah', ...store, '--signature-policy', policy, '--isolation', 'chroot', '--pull=never', '-t', 'localhost/tui:1', ctxDir],
      cols: 120,
      rows: 30,
      env: { TMPDIR: tmp, BUILDAH_ISOLATION: 'chroot' },
      socket,
    });
    try {
      await i.until((s) => s.includes('localhost/tui:1') && /Layers/.test(s), 'the inspector on the built image', 120_000);
      // the archive is read from while the inspector is open
      expect(readdirSync(tmp)).toHaveLength(1);
      i.keys('q');
      await i.until((s) => s.includes('EXIT:0'), 'the inspector to quit');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      i.stop();
      killServer(socket);
    }
  }, 180_000);

  it('podman: the store flags reach both the build and the export', () => {
    const r = cli(['build', '--engine', 'podman', '--ci', '--json', '-', ...store, '--events-backend', 'file', '--cgroup-manager', 'cgroupfs', '--isolation', 'chroot', '--pull=never', ctxDir]);
    expect([0, 1], r.stderr).toContain(r.code);
    const built = JSON.parse(r.stdout) as Export;
    // no tag: the image ID names it
    expect(built.image.reference).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.summary.fileCount).toBeGreaterThan(100);
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);

  it('docker: the docker CLI builds through a Docker API (a Podman service), and docker save reads it back', async (t) => {
    if (spawnSync('sh', ['-c', 'command -v docker'], { stdio: 'ignore' }).status !== 0) return t.skip('the docker CLI is not installed');
    // The service gets the base image as a docker-archive that buildah writes out.
    const base = await b.push(BASE_NAME);
    const started = await startPodmanService([{ archive: base, name: BASE_NAME }]);
    if (!started.ok) return t.skip(started.reason);
    try {
      // Only COPY: a RUN step would need the service to start a container, which this sandbox's cgroups refuse.
      const r = runCli(['build', '--engine', 'docker', '--ci', '--json', '-', '-t', 'localhost/by-docker:1', '-f', path.join(ctxDir, 'CopyOnly.Containerfile'), ctxDir], {
        cwd: b.dir,
        env: { TMPDIR: tmp, DOCKER_HOST: started.service.dockerHost, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: tmpDir() },
      });
      expect([0, 1], r.stderr).toContain(r.code);
      const built = JSON.parse(r.stdout) as Export;
      expect(built.image.reference).toBe('localhost/by-docker:1');
      expect(built.summary.layerCount).toBe(2);
      expect(built.summary.sizeBytes).toBeGreaterThan(50_000);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await started.service.stop();
    }
  }, 300_000);

  it('a failing build is one line of ours after the engine\'s messages, exit 2, nothing left behind', () => {
    const r = cli(['build', '--engine', 'buildah', '--ci', ...store, '--signature-policy', policy, '--isolation', 'chroot', '--pull=never', '-f', path.join(ctxDir, 'Failing.Containerfile'), ctxDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('inspect-tui:'))).toEqual(['inspect-tui: build: buildah bud failed with exit code 1 (its messages are above)']);
    expect(lines.at(-1)).toBe('inspect-tui: build: buildah bud failed with exit code 1 (its messages are above)');
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);
});

describe('inspect-tui build: arguments', () => {
  it.each([
    // ours first, then the engine's from the first other word
    [['--ci', '--json', 'o.json', '-t', 'app', '.'], ['--ci', '--json', 'o.json'], ['-t', 'app', '.']],
    // --no-cache and --quiet are the engine's (docker build has both)
    [['--ci', '--no-cache', '-q', '.'], ['--ci'], ['--no-cache', '-q', '.']],
    // --no-packages is ours: no engine has it
    [['--no-packages', '--ci', '-t', 'app', '.'], ['--no-packages', '--ci'], ['-t', 'app', '.']],
    // -- starts the engine's, even before a word that is ours
    [['--engine', 'podman', '--', '--ci', '.'], ['--engine', 'podman'], ['--ci', '.']],
    // inline values, and -j's attached value
    [['--engine=buildah', '-jout.json', '--root', '/r', '.'], ['--engine=buildah', '-jout.json'], ['--root', '/r', '.']],
  ])('%j → ours %j, engine %j', (argv, ours, engine) => {
    expect(splitBuildArgs(argv)).toEqual({ ours, engine });
  });

  it('repeats the store flags of podman and buildah for the export, and none of docker', () => {
    const args = ['--root', '/r', '--runroot=/rr', '-t', 'x', '--storage-opt', 'a=b', '--remote', '--build-arg', 'A=1', '.'];
    expect(storeFlags('podman', args)).toEqual(['--root', '/r', '--runroot=/rr', '--storage-opt', 'a=b', '--remote']);
    expect(storeFlags('buildah', args)).toEqual(['--root', '/r', '--runroot=/rr', '--storage-opt', 'a=b']);
    expect(storeFlags('docker', args)).toEqual([]);
  });

  it('checks our options before anything is built', () => {
    expect(() => parseBuildCli(['--ci', '--lowestEfficiency', 'high', '.'], {})).toThrow(/--lowestEfficiency/);
    expect(() => parseBuildCli(['--ci'], {})).toThrow(/^build: give the engine its arguments/);
    expect(() => parseBuildCli(['--engine', 'kaniko', '.'], {})).toThrow(/^build: --engine "kaniko" is not one of docker, podman, buildah/);
  });

  it('an engine that is not installed, and the inspector without a terminal, are one line, exit 2, before any build', () => {
    const dir = tmpDir();
    const missing = runCli(['build', '--engine', 'buildah', '--ci', '.'], { cwd: dir, env: { PATH: dir } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('building with buildah bud\ninspect-tui: build: buildah is not installed (not found on PATH)\n');
    const noTerminal = runCli(['build', '--engine', 'buildah', '.'], { cwd: dir, env: { PATH: dir, CI: undefined } });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toBe('inspect-tui: build: the inspector needs a terminal: use --ci for the report, or --json FILE for the analysis\n');
  });
});
