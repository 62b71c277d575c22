import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerd } from '../helpers/containerd-harness.js';
import { buildDockerArchive, buildTar, ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { EXAMPLE, fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';
import { pathWithoutNode, singleExecutable } from './helpers.js';

const EDGE = fixtureImage('images', 'edge.oci-archive.tar');
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

/**
 * The single executable as a user runs it: from a folder with no node_modules, with no `node` on
 * PATH and a cache of its own. It is built once per content of the sources (see helpers.ts).
 */
describe.skipIf(!linuxX64)('the single executable (npm run build:sea)', () => {
  let exe = '';
  const cwd = tmpDir('inspect-tui-sea-cwd-');
  const env = () => ({ PATH: pathWithoutNode(), HOME: cwd, XDG_CACHE_HOME: path.join(cwd, 'cache'), LANG: 'C.UTF-8' });
  const run = (args: string[]) => spawnSync(exe, args, { cwd, env: env(), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });

  beforeAll(() => {
    const built = singleExecutable();
    exe = built.exe;
    console.log(`single executable: ${(readFileSync(exe).length / 2 ** 20).toFixed(1)} MiB, ${built.ms ? `built in ${(built.ms / 1000).toFixed(1)} s` : 'cached from an earlier run'}`);
  }, 600_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('runs with no node on PATH and no node_modules: --version, and --ci gives the JSON the npm build gives', () => {
    expect(existsSync(path.join(cwd, 'node_modules'))).toBe(false);
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: env() }).status).not.toBe(0);
    const v = run(['--version']);
    expect(v.stderr).toBe('');
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    for (const image of [EXAMPLE, ...(existsSync(EDGE) ? [EDGE] : [])]) {
      const args = ['--ci', '--json', '-', '--quiet', '--no-cache', image];
      const sea = run(args);
      const npm = runCli(args);
      expect(sea.status).toBe(npm.code);
      expect(JSON.parse(sea.stdout)).toEqual(JSON.parse(npm.stdout));
      expect(sea.stderr).toBe(npm.stderr);
    }
  });

  it('bad input is one line and exit 2, as in the npm build', () => {
    const r = run(['--ci', path.join(cwd, 'no-such.tar')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe(runCli(['--ci', path.join(cwd, 'no-such.tar')]).stderr);
  });

  it('writes the HTML report with the page script it carries', () => {
    const out = path.join(cwd, 'report.html');
    const r = run(['--report', `html=${out}`, '--no-cache', EXAMPLE]);
    expect(r.status).toBe(1);
    const page = readFileSync(out, 'utf8');
    // The page script is inlined whole: the one the npm build ships.
    expect(page).toContain(readFileSync(path.join(ROOT, 'dist', 'page-client.js'), 'utf8').slice(0, 2000));
  });

  it('verifies layers on worker threads, one per core (at most four)', async () => {
    // Four layers of 24 MiB: hashing them to verify the digests keeps every worker busy a while.
    const layers = await Promise.all([0, 1, 2, 3].map((i) => buildTar([{ name: `blob-${i}`, body: Buffer.alloc(24 << 20, i + 1) }])));
    const image = path.join(cwd, 'big.tar');
    writeFileSync(image, await buildDockerArchive([{ tags: ['big:1'], layers }]));
    const child = spawn(exe, ['--ci', '--no-cache', '--quiet', image], { cwd, env: env(), stdio: 'ignore' });
    // Node 22+ names its worker threads "WorkerThread": count them while the run lasts.
    let most = 0;
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      try {
        const names = readdirSync(`/proc/${child.pid}/task`).map((t) => readFileSync(`/proc/${child.pid}/task/${t}/comm`, 'utf8').trim());
        most = Math.max(most, names.filter((n) => n === 'WorkerThread').length);
      } catch {
        // the process ended between the calls
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await exited).not.toBe(2);
    expect(most).toBe(Math.min(4, os.availableParallelism()));
  }, 120_000);

  it('reads a containerd image through the protos it carries, as the npm build does', async (ctx) => {
    const archive = fixtureImage('images', 'edge.docker-archive.tar');
    if (!existsSync(archive)) return ctx.skip('../shared/fixtures is absent beside the checkout');
    const started = await startContainerd([{ file: archive, namespace: 'test' }]);
    if (!started.ok) return ctx.skip(started.reason);
    try {
      const args = ['--ci', '--json', '-', '--quiet', '--no-cache', 'containerd:docker.io/fx/edge:1', '--namespace', 'test'];
      const sea = spawnSync(exe, args, { cwd, env: { ...env(), CONTAINERD_ADDRESS: started.service.socket }, encoding: 'utf8', timeout: 120_000 });
      const npm = runCli(args, { env: { CONTAINERD_ADDRESS: started.service.socket } });
      expect(sea.stderr).toBe(npm.stderr);
      expect(sea.status).toBe(npm.code);
      expect(JSON.parse(sea.stdout)).toEqual(JSON.parse(npm.stdout));
      expect(JSON.parse(sea.stdout).image.source).toBe('containerd');
    } finally {
      await started.service.stop();
    }
  }, 120_000);

  const ready = tmuxReady('the single executable in tmux');
  describe.skipIf(!ready)('in a terminal', () => {
    it('opens the inspector (DEV=true in the environment too), views a file highlighted, and quits with exit code 0', async () => {
      const nonode = pathWithoutNode();
      // DEV=true too: Ink would turn to React's devtools and read a package.json the executable does not have
      const session = inspector({ name: 'sea', args: [EXAMPLE], cols: 120, rows: 36, program: [exe], env: { PATH: nonode, NO_COLOR: undefined, DEV: 'true' } });
      session.start();
      try {
        expect(await session.until((s) => s.includes('L0: changes of L0'), 'the inspector')).not.toContain('react-devtools-core');
        session.keys('j');
        await session.until((s) => s.includes('L1: changes of L1'), 'layer 1');
        session.keys('/');
        session.text('main.c');
        session.keys('Enter');
        await session.until((s) => /▌Files/.test(s) && !s.includes('Search:'), 'the search kept');
        session.keys('v');
        const s = await session.until((x) => x.includes('View /src/main.c') && x.includes('text (c)'), 'the C source in the viewer');
        expect(s).toMatch(/1 │ int main\(void\)/);
        // highlighted: `int` in a colour of its own
        await session.until(() => /\x1b\[[0-9;]*m+int\x1b\[/.test(session.tmux('capture-pane', '-t', session.session, '-p', '-e')), 'the highlighting');
        session.keys('q');
        await session.until((x) => x.includes('Layers') && !x.includes('View /src/main.c'), 'back to the panes');
        session.keys('q');
        await session.until((x) => x.includes('EXIT:0'), 'the exit code');
      } finally {
        session.stop();
      }
    }, 60_000);
  });
});
