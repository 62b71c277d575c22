#!/usr/bin/env node
// Writes examples/example-image.tar: a small docker-save archive (the Docker 25+ layout:
// OCI blobs plus manifest.json) built entirely here, byte-for-byte reproducible, with the
// things an inspector should show: several layers, an overwritten file, a deleted
// directory (whiteout), a chmod-only rewrite, a re-added identical file, an opaque
// directory, and real wasted space.
//
//   node scripts/make-example-image.mjs [OUT]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';

const MTIME = new Date('2024-01-01T00:00:00Z');

/** Deterministic pseudo-random bytes (xorshift), so the archive is reproducible. */
function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

async function tarOf(entries) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  for (const e of entries) {
    const header = { name: e.name, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: MTIME, type: e.type ?? 'file', linkname: e.linkname, uname: '', gname: '' };
    await new Promise((resolve, reject) => pack.entry(header, e.body ?? undefined, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const dir = (name, mode = 0o755) => ({ name, type: 'directory', mode });
const file = (name, body, extra = {}) => ({ name, body, ...extra });
const text = (s) => Buffer.from(s);

const layers = [
  {
    cmd: 'ADD rootfs.tar / # buildkit',
    createdBy: '/bin/sh -c #(nop) ADD file:6a3f0c in / ',
    entries: [
      dir('bin/'), dir('etc/'), dir('usr/'), dir('usr/lib/'), dir('var/'), dir('var/cache/'), dir('tmp/', 0o1777),
      file('bin/busybox', bytes(48_000, 1), { mode: 0o755 }),
      { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
      file('etc/os-release', text('NAME="Example Linux"\nVERSION_ID=1.0\n')),
      file('etc/passwd', text('root:x:0:0:root:/root:/bin/sh\n')),
      file('usr/lib/libexample.so.1', bytes(24_000, 2), { mode: 0o755 }),
    ],
  },
  {
    createdBy: '/bin/sh -c apk add --no-cache build-base && make -C /src',
    entries: [
      dir('var/cache/apk/'), file('var/cache/apk/APKINDEX.tar.gz', bytes(16_000, 3)),
      dir('src/'), file('src/main.c', text('int main(void) { return 0; }\n')),
      file('src/app.o', bytes(10_000, 4)),
      dir('usr/bin/'), file('usr/bin/app', bytes(30_000, 5), { mode: 0o755 }),
      file('etc/passwd', text('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n')),
    ],
  },
  {
    createdBy: '/bin/sh -c rm -rf /var/cache/apk /src/app.o && chmod 4755 /usr/bin/app',
    entries: [
      dir('var/cache/'), file('var/cache/.wh.apk', Buffer.alloc(0)),
      dir('src/'), file('src/.wh.app.o', Buffer.alloc(0)),
      dir('usr/bin/'), file('usr/bin/app', bytes(30_000, 5), { mode: 0o4755 }),
    ],
  },
  {
    createdBy: '/bin/sh -c #(nop) ENV APP_ENV=production',
    empty: true,
  },
  {
    createdBy: '/bin/sh -c rm -rf /usr/lib/* && cp /bin/busybox /usr/lib/busybox.bak && echo 1.1 > /etc/version',
    entries: [
      dir('usr/lib/'), file('usr/lib/.wh..wh..opq', Buffer.alloc(0)),
      file('usr/lib/busybox.bak', bytes(48_000, 1), { mode: 0o755 }),
      file('etc/version', text('1.1\n')),
    ],
  },
  {
    createdBy: '/bin/sh -c chown -R 1000:1000 /usr/bin',
    entries: [dir('usr/bin/'), file('usr/bin/app', bytes(30_000, 5), { mode: 0o4755, uid: 1000, gid: 1000 })],
  },
  { createdBy: '/bin/sh -c #(nop) USER 1000', empty: true },
  { createdBy: '/bin/sh -c #(nop) CMD ["/usr/bin/app"]', empty: true },
];

const sha = (b) => createHash('sha256').update(b).digest('hex');

async function main() {
  const out = process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'examples', 'example-image.tar');
  const blobs = [];
  const real = layers.filter((l) => !l.empty);
  for (const l of real) blobs.push(await tarOf(l.entries));
  const diffIds = blobs.map((b) => `sha256:${sha(b)}`);
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created: MTIME.toISOString(),
    config: {
      User: '1000',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_ENV=production'],
      Cmd: ['/usr/bin/app'],
      WorkingDir: '/',
      Labels: { 'org.opencontainers.image.title': 'inspect-tui example' },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((l, i) => ({
      created: new Date(MTIME.getTime() + i * 60_000).toISOString(),
      created_by: l.createdBy,
      ...(l.empty ? { empty_layer: true } : {}),
    })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha(configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: configBytes.length },
    layers: blobs.map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha(b)}`, size: b.length })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: manifest.mediaType, digest: `sha256:${sha(manifestBytes)}`, size: manifestBytes.length,
      annotations: { 'io.containerd.image.name': 'docker.io/library/example:latest', 'org.opencontainers.image.ref.name': 'latest' } }],
  };
  const dockerManifest = [{
    Config: `blobs/sha256/${configDigest}`,
    RepoTags: ['example:latest'],
    Layers: blobs.map((b) => `blobs/sha256/${sha(b)}`),
  }];
  const members = [
    dir('blobs/'), dir('blobs/sha256/'),
    ...blobs.map((b) => file(`blobs/sha256/${sha(b)}`, b)),
    file(`blobs/sha256/${configDigest}`, configBytes),
    file(`blobs/sha256/${sha(manifestBytes)}`, manifestBytes),
    file('index.json', Buffer.from(JSON.stringify(index))),
    file('manifest.json', Buffer.from(JSON.stringify(dockerManifest))),
    file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')),
    file('repositories', Buffer.from(JSON.stringify({ example: { latest: sha(blobs[blobs.length - 1]) } }))),
  ];
  const archive = await tarOf(members);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, archive);
  process.stdout.write(`wrote ${out} (${archive.length} bytes, ${real.length} layers)\n`);
}

await main();
