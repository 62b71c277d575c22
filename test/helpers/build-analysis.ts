import { analyzeImage, indexImage, type Analysis, type HistoryEntry, type ImageConfig, type LayerEntry } from '../../src/core/index.js';

/** One layer for `buildAnalysis`: its entries in tar order and the step that made it. */
export type LayerSpec = {
  readonly command?: string;
  readonly entries: readonly LayerEntry[];
  /** Empty history steps (ENV, LABEL…) that follow this layer. */
  readonly emptyAfter?: readonly string[];
};

import { contentKeysOf, dir, file, hardlink, opaque, symlink, whiteout } from './layers.js';

export { file, dir, symlink, hardlink, whiteout, opaque } from './layers.js';

/**
 * Turns layers of simple entries into an Analysis through the real core (`indexImage`,
 * `analyzeImage`), with one history step per layer (`/bin/sh -c <command>`) and the given
 * empty steps, so tests see what the tool sees.
 */
export function buildAnalysis(layers: readonly LayerSpec[], config: Partial<ImageConfig['config']> = {}, reference = 'docker-archive:test.tar'): Analysis {
  const history: HistoryEntry[] = [];
  layers.forEach((l, i) => {
    history.push({ createdBy: `/bin/sh -c ${l.command ?? `step ${i}`}`, created: `2024-01-0${(i % 9) + 1}T00:00:00Z`, emptyLayer: false });
    for (const e of l.emptyAfter ?? []) history.push({ createdBy: `/bin/sh -c #(nop) ${e}`, created: `2024-01-0${(i % 9) + 1}T00:00:01Z`, emptyLayer: true, comment: 'empty step' });
  });
  const diffIds = layers.map((_, i) => `sha256:${String(i).padStart(64, '0')}`);
  const index = indexImage({
      identity: { reference, source: 'docker-archive' },
      config: { architecture: 'amd64', os: 'linux', created: '2024-01-09T00:00:00Z', diffIds, history, config: { env: ['PATH=/usr/bin'], cmd: ['sh'], ...config } },
      layers: layers.map((l, i) => ({
        descriptor: { digest: `sha256:${String(i + 1).padStart(64, 'a')}`, diffId: diffIds[i], mediaType: 'application/vnd.oci.image.layer.v1.tar', compressedSize: 1000 + i },
        entries: l.entries,
      })),
  });
  return analyzeImage(index, contentKeysOf(index));
}

/**
 * A four-layer image with every kind of change the inspector shows: additions, a content
 * change, a chmod-only change, a file whiteout, a directory whiteout and an opaque directory.
 */
export function sampleAnalysis(): Analysis {
  return buildAnalysis(
    [
      {
        command: 'ADD rootfs /',
        entries: [
          dir('etc'),
          file('etc/passwd', 100, { content: 'v1' }),
          file('etc/hosts', 50),
          dir('usr'),
          dir('usr/bin'),
          file('usr/bin/sh', 1000, { mode: 0o4755 }),
          symlink('usr/bin/ash', 'sh'),
          dir('var'),
          dir('var/cache'),
          file('var/cache/a', 500),
          file('var/cache/b', 300),
        ],
        emptyAfter: ['ENV A=1'],
      },
      { command: 'apk add curl', entries: [file('usr/bin/curl', 2000), file('etc/passwd', 120, { content: 'v2' }), whiteout('etc/hosts')] },
      { command: 'rm -rf /var/cache && chmod 600 /etc/passwd', entries: [whiteout('var/cache'), file('etc/passwd', 120, { content: 'v2', mode: 0o600 })], emptyAfter: ['CMD ["sh"]'] },
      { command: 'replace /usr/bin', entries: [dir('usr/bin'), opaque('usr/bin'), file('usr/bin/only', 10)] },
    ],
    { entrypoint: ['/usr/bin/sh'], workingDir: '/srv', user: 'app', exposedPorts: ['80/tcp'], labels: { 'org.example': 'yes' } },
  );
}
