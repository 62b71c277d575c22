import { createHash } from 'node:crypto';
import type { AnalysisSummary, ImageIdentity, LayerDescriptor } from '../core/index.js';
import { formatPlatform } from '../reference/platform.js';
import { CACHE_FORMAT, checksum, type CacheDir } from './cache-dir.js';

/** What identifies an image's figures: where it came from, and every layer's descriptor. */
export type ImageKey = { readonly identity: ImageIdentity; readonly layers: readonly LayerDescriptor[] };

/**
 * Whole-image result cache for headless runs: the figures of an image, keyed by its config
 * digest and every layer's diffID and stored size, so looking at the same image again costs
 * opening its manifest and nothing else. Only images whose every layer has a diffID qualify,
 * and only verified images are written (the lifecycle sees to it); each entry is checksummed.
 */
export class ResultCache {
  constructor(private readonly dir: CacheDir) {}

  key(image: ImageKey): string | undefined {
    const { configDigest, platform } = image.identity;
    if (!configDigest || image.layers.some((l) => !l.diffId)) return undefined;
    const parts = [CACHE_FORMAT, configDigest, platform ? formatPlatform(platform) : '', ...image.layers.map((l) => `${l.diffId}/${l.compressedSize ?? ''}`)];
    return `result-${createHash('sha256').update(parts.join('\n')).digest('hex')}`;
  }

  get(image: ImageKey): AnalysisSummary | undefined {
    const k = this.key(image);
    if (!k) return undefined;
    const buf = this.dir.read(k);
    if (!buf) return undefined;
    try {
      // `<sha256 of the rest>\n<JSON>`: a damaged entry is ignored, never trusted.
      const nl = buf.indexOf(10);
      if (nl !== 64 || buf.toString('latin1', 0, 64) !== checksum(buf.subarray(65))) return undefined;
      const cached = JSON.parse(buf.toString('utf8', 65)) as Omit<AnalysisSummary, 'identity'> & { format: string };
      if (cached.format !== CACHE_FORMAT) return undefined;
      this.dir.touch(k);
      const { format: _f, ...rest } = cached;
      return { ...rest, identity: image.identity };
    } catch {
      return undefined;
    }
  }

  put(image: ImageKey, summary: AnalysisSummary): void {
    const k = this.key(image);
    if (!k) return;
    const { identity: _i, ...rest } = summary;
    const body = Buffer.from(JSON.stringify({ format: CACHE_FORMAT, ...rest }));
    this.dir.write(k, Buffer.concat([Buffer.from(`${checksum(body)}\n`), body]));
  }
}

export type { ImageIdentity };
