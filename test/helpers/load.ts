import { existsSync } from 'node:fs';
import type { Analysis } from '../../src/core/index.js';
import { loadImage, type LoadCaches } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import type { SourceSettings } from '../../src/sources/settings.js';

/** Settings for local files: no credentials, an empty environment. */
export const localSettings = (extra: Partial<SourceSettings> = {}): SourceSettings => ({ registry: { caCertFiles: [], insecure: false }, env: {}, ...extra });

/**
 * Runs the real lifecycle (`loadImage`) on an image argument, waits for verification (which is
 * also when layers are cached), and closes the image. `reads` lists
 * the layers read from the source (not the cache), in the order they finished.
 */
export async function analyzeArg(arg: string, opts: { settings?: Partial<SourceSettings>; caches?: LoadCaches } = {}): Promise<{ analysis: Analysis; reads: number[] }> {
  const reads: number[] = [];
  const loaded = await loadImage(parseReference(arg, existsSync), {
    settings: localSettings(opts.settings),
    caches: opts.caches,
    onEvent: (e) => {
      if (e.type === 'layer-read' && !e.fromCache) reads.push(e.layer);
    },
  });
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return { analysis: loaded.analysis, reads };
}
