import { createHash } from 'node:crypto';
import { UNIQUE_CONTENT_KEY, type AnalysisSummary, type ContentKeys, type ImageIdentity, type LayerDescriptor } from '../core/index.js';
import type { PackageSummary } from '../packages/index.js';
import { formatPlatform } from '../reference/index.js';
import { CACHE_FORMAT, checksum, type CacheDir } from './cache-dir.js';

/** What identifies an image's figures: where it came from, and every layer's descriptor. */
export type ImageKey = { readonly identity: ImageIdentity; readonly layers: readonly LayerDescriptor[] };

/**
 * The file name of an image's entry of some kind (`<kind>-<hex>`): a hash of the cache format, the
 * config digest, the platform and every layer's diffID and stored size. Undefined for an image
 * without a config digest or with a layer without a diffID, which is never cached.
 */
export function imageEntryName(image: ImageKey, kind: 'result' | 'keys' | 'packages' | 'index'): string | undefined {
  const { configDigest, platform } = image.identity;
  if (!configDigest || image.layers.some((l) => !l.diffId)) return undefined;
  const parts = [CACHE_FORMAT, configDigest, platform ? formatPlatform(platform) : '', ...image.layers.map((l) => `${l.diffId}/${l.compressedSize ?? ''}`)];
  return `${kind}-${createHash('sha256').update(parts.join('\n')).digest('hex')}`;
}

/**
 * Whole-image result cache: the figures and packages of an image for headless runs, and the content keys its
 * analysis used for the inspector, keyed by its config digest and every layer's diffID and
 * stored size, so looking at the same image again costs opening its manifest (and, for the
 * inspector, the layer cache) and nothing else. Only images whose every layer has a diffID qualify,
 * and only verified images are written (the lifecycle sees to it); each entry is checksummed.
 */
export class ResultCache {
  constructor(private readonly dir: CacheDir) {}

  key(image: ImageKey, kind: 'result' | 'keys' | 'packages' = 'result'): string | undefined {
    return imageEntryName(image, kind);
  }

  get(image: ImageKey): AnalysisSummary | undefined {
    const cached = this.read<Omit<AnalysisSummary, 'identity'>>(this.key(image));
    return cached && { ...cached, identity: image.identity };
  }

  put(image: ImageKey, summary: AnalysisSummary): void {
    const { identity: _i, ...rest } = summary;
    this.write(this.key(image), rest);
  }

  /** What the image's package databases say (see `PackageSummary`), when it was kept. */
  getPackages(image: ImageKey): PackageSummary | undefined {
    const cached = this.read<{ packages: PackageSummary }>(this.key(image, 'packages'));
    const p = cached?.packages;
    return p && Array.isArray(p.packages) && Array.isArray(p.layers) && p.layers.length === image.layers.length && Array.isArray(p.warnings) ? p : undefined;
  }

  putPackages(image: ImageKey, packages: PackageSummary): void {
    this.write(this.key(image, 'packages'), { packages: { packages: packages.packages, layers: packages.layers, warnings: packages.warnings } });
  }

  /**
   * The content keys the image's analysis used (see `ContentKeys`), when they were kept: what
   * comparing and hashing bodies found, so opening the image again from the layer cache reads no
   * body. Undefined unless there are exactly `entryCount` of them.
   */
  getKeys(image: ImageKey, entryCount: number): ContentKeys | undefined {
    const cached = this.read<{ count: number; unique: number[]; ids: number[]; keys: string[] }>(this.key(image, 'keys'));
    if (!cached || cached.count !== entryCount || !Array.isArray(cached.unique) || cached.ids.length !== cached.keys.length) return undefined;
    const keys = new Array<string | undefined>(entryCount);
    const valid = (g: number) => Number.isInteger(g) && g >= 0 && g < entryCount;
    for (const g of cached.unique) {
      if (!valid(g)) return undefined;
      keys[g] = `${UNIQUE_CONTENT_KEY}${g}`;
    }
    for (let k = 0; k < cached.ids.length; k++) {
      const g = cached.ids[k]!;
      if (!valid(g) || typeof cached.keys[k] !== 'string') return undefined;
      keys[g] = cached.keys[k];
    }
    return keys;
  }

  putKeys(image: ImageKey, keys: ContentKeys): void {
    // Most keys say "unique to this entry" (`~` and its id): those are kept as ids alone.
    const unique: number[] = [];
    const ids: number[] = [];
    const values: string[] = [];
    keys.forEach((key, g) => {
      if (key === `${UNIQUE_CONTENT_KEY}${g}`) unique.push(g);
      else if (key !== undefined) {
        ids.push(g);
        values.push(key);
      }
    });
    this.write(this.key(image, 'keys'), { count: keys.length, unique, ids, keys: values });
  }

  /** `<sha256 of the rest>\n<JSON>`: a damaged or foreign entry is ignored, never trusted. */
  private read<T>(k: string | undefined): T | undefined {
    if (!k) return undefined;
    return this.dir.readEntry(k, (buf) => {
      const nl = buf.indexOf(10);
      if (nl !== 64 || buf.toString('latin1', 0, 64) !== checksum(buf.subarray(65))) return undefined;
      const cached = JSON.parse(buf.toString('utf8', 65)) as T & { format: string };
      if (cached.format !== CACHE_FORMAT) return undefined;
      const { format: _f, ...rest } = cached;
      return rest as T;
    });
  }

  private write(k: string | undefined, value: object): void {
    if (!k) return;
    const body = Buffer.from(JSON.stringify({ format: CACHE_FORMAT, ...value }));
    this.dir.write(k, Buffer.concat([Buffer.from(`${checksum(body)}\n`), body]));
  }
}

export type { ImageIdentity };
