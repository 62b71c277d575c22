import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import tar from 'tar-stream';

/** `../shared/fixtures` beside the checkout, or undefined when absent (tests then skip). */
export const FIXTURES: string | undefined = (() => {
  const p = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');
  return existsSync(p) ? p : undefined;
})();

/** Why fixture-based tests are skipped, for the skip message. */
export const NO_FIXTURES = 'skipped: ../shared/fixtures is absent beside the checkout';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type TarItem = {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  body?: Buffer | string;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
};

/** A tar built with tar-stream (long names become PAX records). */
export async function buildTar(items: TarItem[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const it of items) {
    const type = it.type ?? 'file';
    const body = it.body === undefined ? undefined : Buffer.from(it.body);
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        {
          name: it.name, type, mode: it.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: it.uid ?? 0, gid: it.gid ?? 0,
          linkname: it.linkname, devmajor: it.devmajor, devminor: it.devminor, mtime: new Date(0), pax: it.pax,
        },
        body as Buffer,
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** One raw 512-byte ustar/GNU header, for cases tar-stream will not write (GNU long names, base-256). */
export function rawHeader(h: { name: string; typeflag: string; size: number; mode?: number; linkname?: string; base256Size?: boolean; magic?: 'ustar' | 'gnu' }): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name.slice(0, 100), 0, 'utf8');
  b.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (h.base256Size) {
    b[124] = 0x80;
    b.writeUIntBE(h.size, 124 + 12 - 6, 6);
  } else b.write(`${h.size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write(h.typeflag, 156);
  if (h.linkname) b.write(h.linkname, 157);
  if (h.magic === 'gnu') b.write('ustar  \0', 257);
  else b.write('ustar\x0000', 257);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

export function pad512(body: Buffer): Buffer {
  const n = Math.ceil(body.length / 512) * 512;
  return Buffer.concat([body, Buffer.alloc(n - body.length)]);
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function tmpDir(prefix = 'inspect-tui-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function configFor(layers: Buffer[], history?: string[]) {
  return {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
    history: (history ?? layers.map((_, i) => `/bin/sh -c step-${i}`)).map((c) => ({ created_by: c })),
  };
}

/**
 * A legacy docker-save archive (`<id>/layer.tar`, `<id>.json` config, manifest.json) holding
 * one or more images. `history` gives each layer's `created_by` (default `/bin/sh -c step-N`).
 */
export async function buildDockerArchive(images: { tags: string[]; layers: Buffer[]; gzipLayers?: boolean; history?: string[] }[], opts: { manifestOverride?: string } = {}): Promise<Buffer> {
  const items: TarItem[] = [];
  const manifest: unknown[] = [];
  const seen = new Set<string>();
  for (const img of images) {
    const names: string[] = [];
    for (const l of img.layers) {
      const stored = img.gzipLayers ? zlib.gzipSync(l) : l;
      const id = sha256(stored);
      const name = img.gzipLayers ? `${id}.tar.gz` : `${id}/layer.tar`;
      if (!seen.has(name)) {
        seen.add(name);
        if (!img.gzipLayers) items.push({ name: `${id}/`, type: 'directory' });
        items.push({ name, body: stored });
      }
      names.push(name);
    }
    const cfg = Buffer.from(JSON.stringify(configFor(img.layers, img.history)));
    const cfgName = `${sha256(cfg)}.json`;
    if (!seen.has(cfgName)) {
      seen.add(cfgName);
      items.push({ name: cfgName, body: cfg });
    }
    manifest.push({ Config: cfgName, RepoTags: img.tags, Layers: names });
  }
  items.push({ name: 'manifest.json', body: opts.manifestOverride ?? JSON.stringify(manifest) });
  return buildTar(items);
}

/** Writes an OCI image layout directory; returns its path. Layers stored as given (compress them first if wanted). */
export function writeOciLayout(dir: string, layers: { blob: Buffer; diff: Buffer; mediaType: string }[], opts: { refName?: string; platform?: { os: string; architecture: string } } = {}): string {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const d = sha256(b);
    writeFileSync(path.join(dir, 'blobs', 'sha256', d), b);
    return `sha256:${d}`;
  };
  const cfg = Buffer.from(JSON.stringify(configFor(layers.map((l) => l.diff))));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(cfg), size: cfg.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: put(l.blob), size: l.blob.length })),
    }),
  );
  const md = put(manifest);
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length,
        ...(opts.platform ? { platform: opts.platform } : {}),
        ...(opts.refName ? { annotations: { 'org.opencontainers.image.ref.name': opts.refName } } : {}),
      }],
    }),
  );
  return dir;
}

export const TAR = 'application/vnd.oci.image.layer.v1.tar';
export const TAR_GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
