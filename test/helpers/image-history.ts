import { existsSync } from 'node:fs';
import type { HistoryEntry, LayerEntry } from '../../src/core/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { openImage } from '../../src/sources/table.js';
import { localSettings } from './load.js';

/** What the Dockerfile mapping takes from an image: the config's history and the layers' digests, read by the project's own sources. */
export type ImageFacts = {
  readonly history: readonly HistoryEntry[];
  readonly layerCount: number;
  readonly layerDigests: readonly (string | undefined)[];
  /** Paths each layer holds (entry paths as stored, without a leading slash), when asked for. */
  readonly paths: readonly (readonly string[])[];
};

/** Opens an image argument (`docker-archive:FILE`, `oci-archive:FILE`…) and reads its history and, with `paths`, what its layers hold. */
export async function readImageFacts(arg: string, opts: { paths?: boolean } = {}): Promise<ImageFacts> {
  const img = await openImage(parseReference(arg, existsSync), localSettings());
  try {
    const paths: string[][] = [];
    for (const l of opts.paths ? img.layers : []) {
      const c = await l.read();
      paths.push(c.entries.map((e: LayerEntry) => e.path));
    }
    return { history: img.config.history, layerCount: img.layers.length, layerDigests: img.layers.map((l) => l.descriptor.digest), paths };
  } finally {
    await img.close();
  }
}
