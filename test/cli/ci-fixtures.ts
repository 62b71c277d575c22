import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildTar, sha256, type TarItem } from '../helpers/image-files.js';

/**
 * Small `docker save` archives for the CI-mode tests, with the history commands given (the
 * shared builder numbers them): a clean image that passes dive's default rules, and one that
 * breaks them and every path rule, with hostile names in its paths and commands.
 */

/** Writes a legacy docker-save archive (`<id>/layer.tar`, config, manifest.json) and returns its path. */
export async function writeDockerArchive(file: string, layers: TarItem[][], opts: { commands?: string[]; tag?: string; os?: string } = {}): Promise<string> {
  const tars = await Promise.all(layers.map((l) => buildTar(l)));
  const items: TarItem[] = [];
  const names: string[] = [];
  for (const t of tars) {
    const id = sha256(t);
    items.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/layer.tar`, body: t });
    names.push(`${id}/layer.tar`);
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: opts.os ?? 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${sha256(t)}`) },
      history: (opts.commands ?? tars.map((_, i) => `/bin/sh -c step-${i}`)).map((c) => ({ created_by: c })),
    }),
  );
  const cfgName = `${sha256(config)}.json`;
  items.push({ name: cfgName, body: config });
  items.push({ name: 'manifest.json', body: JSON.stringify([{ Config: cfgName, RepoTags: [opts.tag ?? 'test:1'], Layers: names }]) });
  writeFileSync(file, await buildTar(items));
  return file;
}

/** Two layers, nothing written twice: efficiency 1, no waste; passes dive's defaults and the path rules of `CI_CONFIG`. */
export function passingImage(dir: string): Promise<string> {
  return writeDockerArchive(path.join(dir, 'pass.tar'), [
    [{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', body: 'ID=test\n' }],
    [{ name: 'app/', type: 'directory' }, { name: 'app/main.js', body: 'console.log(1)\n' }],
  ]);
}

/**
 * A name that tries everything: clear the screen (CSI 2J), set the window title (OSC 0 … BEL),
 * an 8-bit CSI (U+009B), a carriage return and a new line that prints a fake verdict.
 */
export const HOSTILE = 'evil\x1b[2J\x1b]0;pwned\x07\u009b31m\rPASS [pass:3 fail:0 skip:0]\nx.pem';

/** What `escapeControl` makes of `HOSTILE`. */
export const HOSTILE_ESCAPED = 'evil\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\rPASS [pass:3 fail:0 skip:0]\\nx.pem';

/**
 * Three layers that break dive's default rules and every path rule of `CI_CONFIG`: a `.git`
 * directory and a hostile `.pem` name that stay (block), node_modules written twice (denyWaste),
 * a 3000-byte file (maxFileSize 2kB), and the hostile file rewritten (waste, with its name).
 */
export function failingImage(dir: string): Promise<string> {
  return writeDockerArchive(
    path.join(dir, 'fail.tar'),
    [
      [
        { name: 'app/', type: 'directory' },
        { name: 'app/.git/', type: 'directory' },
        { name: 'app/.git/config', body: '[core]\n' },
        { name: `app/${HOSTILE}`, body: 'A'.repeat(500) },
        { name: 'app/node_modules/', type: 'directory' },
        { name: 'app/node_modules/dep.js', body: 'B'.repeat(400) },
      ],
      [
        { name: 'app/', type: 'directory' },
        { name: `app/${HOSTILE}`, body: 'C'.repeat(600) },
        { name: 'app/node_modules/', type: 'directory' },
        { name: 'app/node_modules/dep.js', body: 'D'.repeat(400) },
      ],
      [{ name: 'app/', type: 'directory' }, { name: 'app/big.bin', body: Buffer.alloc(3000, 1) }],
    ],
    { commands: ['/bin/sh -c #(nop) ADD dir:app in /', `/bin/sh -c echo '\x1b]0;title\x07' && npm ci`, '/bin/sh -c make big'] },
  );
}

/** A `.dive-ci` with dive's rules and every path rule; the failing image breaks all of them. */
export const CI_CONFIG = `rules:
  lowestEfficiency: 0.9
  highestWastedBytes: disabled
  highestUserWastedPercent: 0.1
paths:
  block: ['**/.git/**', '**/*.pem']
  denyWaste: ['**/node_modules/**']
  maxFileSize: 2kB
  maxLayerCount: 2
`;

/** Bytes a terminal acts on: C0 controls but newline, DEL, and C1 controls (as UTF-8 or raw). */
export function controlBytes(b: Buffer): number[] {
  const found: number[] = [];
  for (const ch of b.toString('utf8')) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) found.push(c);
  }
  return found;
}
