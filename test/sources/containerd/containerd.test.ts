import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBare } from '../../../src/sources/bare/index.js';
import { openContainerdImage } from '../../../src/sources/containerd/index.js';
import { dockerArchiveSource } from '../../../src/sources/docker-archive/index.js';
import type { OpenedImage } from '../../../src/sources/image-source.js';
import { ociArchiveSource } from '../../../src/sources/oci-archive/index.js';
import type { SourceSettings } from '../../../src/sources/settings.js';
import { validateSource } from '../../helpers/conformance.js';
import { startContainerd, type ContainerdService } from '../../helpers/containerd-harness.js';
import { FIXTURES, NO_FIXTURES, tmpDir } from '../../helpers/image-files.js';
import { rejection } from '../../helpers/rejection.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

const img = (p: string) => path.join(FIXTURES ?? '', 'images', p);
const EDGE_ARCHIVE = img('edge.docker-archive.tar');
const EDGE_OCI = img('edge.oci-archive.tar');
const EDGE_OPAQUE = img('edge-opaque.oci-archive.tar');
const MULTI = img('multiarch.oci-archive.tar');
/** The index digest of multiarch.oci-archive.tar (its index.json names it). */
const MULTI_INDEX = 'sha256:882a322367ebd43988ff66dde974316dc5e4c29fc95c81513147c6c44197138f';

function settingsFor(socket: string, extra: Partial<SourceSettings> = {}): SourceSettings & { stages: string[] } {
  const stages: string[] = [];
  return { registry: { caCertFiles: [], insecure: false }, env: { CONTAINERD_ADDRESS: socket }, namespace: 'test', onStage: (m) => stages.push(m), ...extra, stages };
}

async function entriesPerLayer(image: OpenedImage): Promise<string[][]> {
  const out: string[][] = [];
  for (const l of image.layers) out.push((await l.read()).entries.map((e) => `${e.type} ${e.path} ${e.size} ${e.mode.toString(8)}`));
  return out;
}

const summaryOf = (stdout: string) => (JSON.parse(stdout) as { summary: unknown }).summary;

describe.skipIf(!FIXTURES)(`containerd source against a real containerd${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  let service: ContainerdService | undefined;
  let skipReason = '';
  /** The layers of edge-opaque as its archive lists them (the last one is its own). */
  let opaqueLayers: string[] = [];
  let edgeOciLayers: string[] = [];

  beforeAll(async () => {
    const started = await startContainerd([
      // ctr normalizes a docker-archive's RepoTags (docker.io/fx/edge:1) and keeps an OCI ref name as given (fx/multi:1).
      { file: EDGE_ARCHIVE, namespace: 'test' },
      { file: MULTI, namespace: 'test', allPlatforms: true },
      // Without --all-platforms only the host's platform is kept: an index with missing manifests.
      { file: MULTI, namespace: 'partial' },
      { file: EDGE_OCI, namespace: 'oci' },
      { file: EDGE_OCI, namespace: 'broken' },
      { file: EDGE_OPAQUE, namespace: 'tampered' },
    ]);
    if (!started.ok) {
      skipReason = started.reason;
      return;
    }
    service = started.service;
    const layersOf = async (file: string) => {
      const image = await ociArchiveSource.open({ transport: 'oci-archive', path: file }, { registry: { caCertFiles: [], insecure: false }, env: {} });
      await image.close();
      return image.layers.map((l) => l.descriptor.digest!);
    };
    edgeOciLayers = await layersOf(EDGE_OCI);
    opaqueLayers = await layersOf(EDGE_OPAQUE);
    // A blob removed from the content store, as after an interrupted pull or a discarded layer.
    await service.ctr(['-n', 'broken', 'content', 'rm', edgeOciLayers[3]!]);
    // A blob whose bytes on disk no longer match its digest (same size, one byte changed).
    const own = opaqueLayers.at(-1)!;
    const file = path.join(service.dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', own.slice('sha256:'.length));
    const fh = await open(file, 'r+');
    try {
      const { size } = await fh.stat();
      const at = Math.floor(size / 2);
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0] = b[0]! ^ 0xff;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
  });

  afterAll(async () => {
    await service?.stop();
  });

  function need(ctx: { skip: (note?: string) => void }): ContainerdService {
    if (!service) {
      console.warn(`skipping containerd tests: ${skipReason}`);
      ctx.skip(skipReason);
    }
    return service!;
  }

  it('passes the conformance suite through the source table (a docker-archive import and a multi-platform index)', async (ctx) => {
    const svc = need(ctx);
    for (const name of ['docker.io/fx/edge:1', 'fx/multi:1']) {
      const identity = await validateSource({ transport: 'containerd', name }, settingsFor(svc.socket));
      expect(identity.source).toBe('containerd');
      expect(identity.configDigest).toMatch(/^sha256:/);
    }
  });

  it('finds a name as typed, and a short name by its normalized form, saying which matched', async (ctx) => {
    const svc = need(ctx);
    const s = settingsFor(svc.socket);
    const exact = await openContainerdImage('fx/multi:1', s);
    expect(exact.identity.reference).toBe('containerd:fx/multi:1');
    await exact.close();
    expect(s.stages).toContain('found fx/multi:1 in containerd');
    expect(s.stages.some((m) => /^using containerd \S+ at unix:\/\/.*containerd\.sock, namespace test$/.test(m))).toBe(true);

    const s2 = settingsFor(svc.socket);
    const short = await openContainerdImage('fx/edge:1', s2);
    expect(short.identity).toMatchObject({ reference: 'containerd:docker.io/fx/edge:1', source: 'containerd' });
    await short.close();
    expect(s2.stages).toContain('found fx/edge:1 in containerd as docker.io/fx/edge:1 (normalized)');
  });

  it('reads the same layers, entries, compressed sizes and media types as the archive it was imported from', async (ctx) => {
    const svc = need(ctx);
    // gzip blobs as stored: digests, compressed sizes and media types straight from the manifest.
    const fromFile = await ociArchiveSource.open({ transport: 'oci-archive', path: EDGE_OCI }, { registry: { caCertFiles: [], insecure: false }, env: {} });
    const fromCtr = await openContainerdImage('fx/edge:1', settingsFor(svc.socket, { namespace: 'oci' }));
    try {
      expect(fromCtr.layers.map((l) => l.descriptor)).toEqual(fromFile.layers.map((l) => l.descriptor));
      expect(fromCtr.layers.every((l) => l.descriptor.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip' && (l.descriptor.compressedSize ?? 0) > 0)).toBe(true);
    } finally {
      await fromCtr.close();
      await fromFile.close();
    }
    const edge = await openContainerdImage('docker.io/fx/edge:1', settingsFor(svc.socket));
    const archive = await dockerArchiveSource.open({ transport: 'docker-archive', path: EDGE_ARCHIVE }, { registry: { caCertFiles: [], insecure: false }, env: {} });
    try {
      expect(edge.config.diffIds).toEqual(archive.config.diffIds);
      const a = await entriesPerLayer(edge);
      expect(a.flat().length).toBeGreaterThan(3000);
      expect(a).toEqual(await entriesPerLayer(archive));
    } finally {
      await edge.close();
      await archive.close();
    }
  });

  it('finds an image by digest: NAME@DIGEST of its index, though ctr stored it under a tag', async (ctx) => {
    const svc = need(ctx);
    const s = settingsFor(svc.socket, { platform: { os: 'linux', architecture: 'arm64' } });
    const image = await openContainerdImage(`fx/multi@${MULTI_INDEX}`, s);
    expect(image.identity).toMatchObject({ reference: 'containerd:fx/multi:1', platform: { os: 'linux', architecture: 'arm64' } });
    await image.close();
    expect(s.stages).toContain(`found fx/multi@${MULTI_INDEX} in containerd as fx/multi:1 (by digest)`);
    // A digest no image of that repository has is not found.
    const miss = await rejection(openContainerdImage(`fx/multi@sha256:${'0'.repeat(64)}`, settingsFor(svc.socket)));
    expect(miss.kind).toBe('not-found');
  });

  it('resolves a multi-platform index by --platform, both platforms', async (ctx) => {
    const svc = need(ctx);
    const seen: { platform: string; digest?: string; layer?: string }[] = [];
    for (const architecture of ['amd64', 'arm64']) {
      const image = await openContainerdImage('fx/multi:1', settingsFor(svc.socket, { platform: { os: 'linux', architecture } }));
      seen.push({ platform: `${image.identity.platform?.os}/${image.identity.platform?.architecture}`, digest: image.identity.digest, layer: image.layers[0]?.descriptor.digest });
      expect((await image.layers[0]!.read()).entries.length).toBeGreaterThan(100);
      await image.close();
    }
    expect(seen.map((s) => s.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(seen[0]!.digest).not.toBe(seen[1]!.digest);
    expect(seen[0]!.layer).not.toBe(seen[1]!.layer);
    const none = await rejection(openContainerdImage('fx/multi:1', settingsFor(svc.socket, { platform: { os: 'linux', architecture: 's390x' } })));
    expect(none.kind).toBe('platform-mismatch');
    expect(none.reason).toContain('linux/amd64, linux/arm64');
  });

  it('reports a missing image in one line, with the names close to it', async (ctx) => {
    const svc = need(ctx);
    const err = await rejection(openContainerdImage('fx/edge:2', settingsFor(svc.socket)));
    expect(err.kind).toBe('not-found');
    expect(err.message).toMatch(/^containerd:fx\/edge:2: no such image in namespace "test" of containerd at unix:\/\/\S+ \(looked up as fx\/edge:2, docker\.io\/fx\/edge:2\); similar names: docker\.io\/fx\/edge:1$/);
    expect(err.message).not.toContain('\n');
  });

  it('reports an unknown namespace, listing the namespaces there are', async (ctx) => {
    const svc = need(ctx);
    const err = await rejection(openContainerdImage('fx/multi:1', settingsFor(svc.socket, { namespace: 'k8s.io' })));
    expect(err.kind).toBe('not-found');
    expect(err.reason).toContain('has no namespace "k8s.io" (namespaces: broken, oci, partial, tampered, test)');
    // The namespace comes from CONTAINERD_NAMESPACE when no flag gives one.
    const fromEnv = await rejection(openContainerdImage('fx/multi:1', { ...settingsFor(svc.socket), namespace: undefined, env: { CONTAINERD_ADDRESS: svc.socket, CONTAINERD_NAMESPACE: 'moby' } }));
    expect(fromEnv.reason).toContain('has no namespace "moby"');
  });

  it('says the image is not fully pulled when a blob is missing from the content store', async (ctx) => {
    const svc = need(ctx);
    const err = await rejection(openContainerdImage('fx/edge:1', settingsFor(svc.socket, { namespace: 'broken' })));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe(
      `containerd:fx/edge:1: layer 3 (${edgeOciLayers[3]!.slice(0, 19)}) is not in containerd's content store: the image is not fully pulled (pull it again, e.g. ctr -n broken images pull fx/edge:1; a node that discards unpacked layers keeps no compressed blobs)`,
    );
    // An index imported for one platform only: the other platform's manifest is not there.
    const partial = await rejection(openContainerdImage('fx/multi:1', settingsFor(svc.socket, { namespace: 'partial', platform: { os: 'linux', architecture: 'arm64' } })));
    expect(partial.kind).toBe('not-found');
    expect(partial.reason).toMatch(/^the linux\/arm64 manifest sha256:[0-9a-f]{12} is not in containerd's content store: the image is not fully pulled \(it was pulled for other platforms only; pull it with --platform linux\/arm64 or --all-platforms\)$/);
  });

  it('refuses a blob whose bytes do not match its digest', async (ctx) => {
    const svc = need(ctx);
    const image = await openContainerdImage('fx/edge-opaque:1', settingsFor(svc.socket, { namespace: 'tampered' }));
    try {
      const last = image.layers.at(-1)!;
      expect(last.descriptor.digest).toBe(opaqueLayers.at(-1));
      const err = await rejection(last.read());
      expect(err.kind).toBe('digest-mismatch');
      expect(err.subject).toContain('containerd:fx/edge-opaque:1: layer');
    } finally {
      await image.close();
    }
  });

  it('looks a bare name up in containerd when no Docker or Podman daemon answers, and says so', async (ctx) => {
    const svc = need(ctx);
    const env = { CONTAINERD_ADDRESS: svc.socket, DOCKER_HOST: `unix://${svc.dir}/no-docker.sock` };
    const s = settingsFor(svc.socket, { env });
    const image = await openBare('fx/multi:1', s);
    expect(image.identity.source).toBe('containerd');
    await image.close();
    expect(s.stages.some((m) => m.startsWith(`looking for containerd at unix://${svc.socket}`))).toBe(true);
    expect(s.stages).toContain('found fx/multi:1 in containerd');
    // --source containerd: only containerd is asked.
    const forced = settingsFor(svc.socket, { env, forceSource: 'containerd' });
    const f = await openBare('docker.io/fx/edge:1', forced);
    expect(f.identity.source).toBe('containerd');
    await f.close();
    expect(forced.stages.some((m) => m.includes('daemon'))).toBe(false);
    // CI output says which source was used.
    const cli = runCli(['--ci', 'fx/multi:1', '--namespace', 'test'], { env });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/^using containerd \S+ at unix:\/\/\S+, namespace test$/m);
    expect(cli.stderr).toContain('found fx/multi:1 in containerd');
    // Nowhere: one message saying what the daemon, containerd and the registry answered.
    const nowhere = await rejection(openBare('127.0.0.1:1/fx/none:1', settingsFor(svc.socket, { env })));
    expect(nowhere.message).toMatch(/^127\.0\.0\.1:1\/fx\/none:1: not found in a daemon \(none answered; .*\) nor in containerd at unix:\/\/\S+ \(no such image\) nor in the registry 127\.0\.0\.1:1 \(.*\)$/);
  });

  it('the CLI gives the same summary as the fixture file the image was imported from: edge (docker-archive)', (ctx) => {
    const svc = need(ctx);
    // CI unset: JSON without the rules' verdict, so exit 0 (CI runs this suite with CI=true)
    const env = { CONTAINERD_ADDRESS: svc.socket, CI: '' };
    const fromFile = runCli(['--json', '-', EDGE_ARCHIVE], { env: { CI: '' } });
    const fromCtr = runCli(['--json', '-', 'containerd:docker.io/fx/edge:1', '--namespace', 'test'], { env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromCtr.code, fromCtr.stderr).toBe(0);
    expect(summaryOf(fromCtr.stdout)).toEqual(summaryOf(fromFile.stdout));
    expect(JSON.parse(fromCtr.stdout).image).toMatchObject({ source: 'containerd', reference: 'containerd:docker.io/fx/edge:1' });
  });

  it('the CLI gives the same summary as the fixture file the image was imported from: multiarch, both platforms', (ctx) => {
    const svc = need(ctx);
    const env = { CONTAINERD_ADDRESS: svc.socket, CI: '' };
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const fromFile = runCli(['--json', '-', '--platform', platform, MULTI], { env: { CI: '' } });
      const fromCtr = runCli(['--json', '-', '--platform', platform, 'containerd:fx/multi:1', '--namespace', 'test'], { env });
      expect(fromFile.code, fromFile.stderr).toBe(0);
      expect(fromCtr.code, fromCtr.stderr).toBe(0);
      expect(summaryOf(fromCtr.stdout)).toEqual(summaryOf(fromFile.stdout));
      const a = JSON.parse(fromFile.stdout) as { image: { digest: string; platform: string }; layers: unknown[] };
      const b = JSON.parse(fromCtr.stdout) as { image: { digest: string; platform: string }; layers: unknown[] };
      expect(b.image).toMatchObject({ platform: platform, digest: a.image.digest });
      expect(b.layers).toEqual(a.layers);
    }
  });

  it('a user who may not open the socket is told which group to join, or sudo', async (ctx) => {
    const svc = need(ctx);
    // The kernel's own answer for an unprivileged user: run the CLI as nobody.
    const asNobody = (args: string[]) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--no-cache', '--ci', ...args], {
        env: { PATH: process.env.PATH, HOME: '/nonexistent', CONTAINERD_ADDRESS: svc.socket },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const probe = asNobody(['--version']);
    if (probe.error || probe.status !== 0) {
      console.warn(`skipping: cannot run the CLI as nobody (${probe.error?.message ?? probe.stderr.trim()})`);
      ctx.skip();
    }
    // The temp dir is root's alone: even its path is closed.
    let r = asNobody(['containerd:fx/multi:1']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`inspect-tui: containerd:fx/multi:1: permission denied on unix://${svc.socket}: its directory is not open to you; run with sudo`);
    const mode = (await stat(svc.dir)).mode & 0o777;
    await chmod(svc.dir, 0o711);
    try {
      // containerd's default socket: root:root, 0660.
      r = asNobody(['containerd:fx/multi:1']);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(
        `inspect-tui: containerd:fx/multi:1: permission denied on unix://${svc.socket}: only root may use it: run with sudo, or set a group you are in as [grpc] gid in containerd's config`,
      );
      // With [grpc] gid set (what containerd does with it: the socket's group), the group is named.
      const adm = readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[0] === 'adm');
      if (adm) {
        await chown(svc.socket, 0, Number(adm[2]));
        r = asNobody(['containerd:fx/multi:1']);
        expect(r.stderr.trim()).toBe(`inspect-tui: containerd:fx/multi:1: permission denied on unix://${svc.socket}: it is open to the group adm: add your user to it (then log in again), or run with sudo`);
      }
    } finally {
      await chown(svc.socket, 0, 0);
      await chmod(svc.dir, mode);
    }
  });

  it('the CLI prints one line and exits 2 for a missing image, namespace or blob', (ctx) => {
    const svc = need(ctx);
    const env = { CONTAINERD_ADDRESS: svc.socket };
    for (const [args, pattern] of [
      [['containerd:fx/nothing:1', '--namespace', 'test'], /^inspect-tui: containerd:fx\/nothing:1: no such image in namespace "test"/],
      [['containerd:fx/multi:1', '--namespace', 'nope'], /^inspect-tui: containerd:fx\/multi:1: containerd at unix:\/\/\S+ has no namespace "nope" \(namespaces: /],
      [['containerd:fx/edge:1', '--namespace', 'broken'], /^inspect-tui: containerd:fx\/edge:1: layer 3 \(sha256:[0-9a-f]{12}\) is not in containerd's content store: the image is not fully pulled/],
      [['containerd:fx/multi:1', '--namespace', 'bad/name'], /^inspect-tui: --namespace: "bad\/name" is not a containerd namespace name/],
    ] as const) {
      const r = runCli(['--ci', ...args], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(pattern);
    }
  });
});

describe('containerd source without containerd', () => {
  it('names the socket it tried when there is none', async () => {
    const dir = path.join(FIXTURES ?? '/nonexistent', 'no-such-dir');
    const sock = path.join(dir, 'containerd.sock');
    expect(existsSync(sock)).toBe(false);
    const err = await rejection(openContainerdImage('alpine:3', { registry: { caCertFiles: [], insecure: false }, env: { CONTAINERD_ADDRESS: `unix://${sock}` } }));
    expect(err.kind).toBe('daemon-unavailable');
    expect(err.message).toBe(`containerd:alpine:3: no containerd socket (tried unix://${sock} (CONTAINERD_ADDRESS): no such socket); start containerd there, or unset CONTAINERD_ADDRESS`);
  });

  it('says nothing listens on a socket left behind by a containerd that stopped', async () => {
    const dir = tmpDir('itc-stale-');
    const sock = path.join(dir, 'containerd.sock');
    // A process that bound the socket and exited without removing it.
    spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(sock)}, () => process.exit(0))`], { timeout: 30_000 });
    expect(existsSync(sock)).toBe(true);
    const err = await rejection(openContainerdImage('alpine:3', { registry: { caCertFiles: [], insecure: false }, env: { CONTAINERD_ADDRESS: sock } }));
    expect(err.kind).toBe('daemon-unavailable');
    expect(err.message).toBe(
      `containerd:alpine:3: containerd does not answer on unix://${sock}: nothing listens on it (a socket left by a containerd that stopped?); start containerd, or set CONTAINERD_ADDRESS to its socket`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI says so in one line and exits 2', () => {
    const r = runCli(['--ci', 'containerd:alpine:3'], { env: { CONTAINERD_ADDRESS: '/nonexistent/containerd.sock' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'inspect-tui: containerd:alpine:3: no containerd socket (tried unix:///nonexistent/containerd.sock (CONTAINERD_ADDRESS): no such socket); start containerd there, or unset CONTAINERD_ADDRESS',
    );
  });
});
