import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool, type BodyDigests, type LayerBlob, type LayerContents } from '../../src/archive/index.js';
import { loadComparison, type LoadOptions } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { buildDockerArchive, buildTar, ROOT, tmpDir } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

/**
 * Two images without a shared base and many equal-size files at equal paths (uncompressed
 * layers, indexed in place): the comparison must hash every one of those bodies, which no read
 * hashed.
 */
async function twoImages(): Promise<{ old: string; new: string }> {
  const dir = tmpDir();
  const write = async (name: string, fill: string) => {
    const files = Array.from({ length: 24 }, (_, i) => ({ name: `data/f${i}`, body: Buffer.alloc(1 << 20, `${fill}${i}`) }));
    const file = path.join(dir, name);
    writeFileSync(file, await buildDockerArchive([{ tags: [`${name}:1`], layers: [await buildTar([{ name: 'data/', type: 'directory' }, ...files])] }]));
    return `docker-archive:${file}`;
  };
  return { old: await write('old.tar', 'a'), new: await write('new.tar', 'b') };
}

const SCRIPT = pathToFileURL(path.join(ROOT, 'dist/pool-worker.js'));
const pools: WorkerPool[] = [];
afterAll(() => pools.forEach((p) => p.close()));

/** A real pool that aborts `stop` as soon as it has started hashing bodies, and counts the hash requests. */
function abortingPool(stop: AbortController, reason: Error, threaded: boolean) {
  const pool = new (class extends WorkerPool {
    started = 0;
    abortedAt = 0;
    override hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>, signal?: AbortSignal): Promise<BodyDigests> {
      const hashing = super.hashEntries(blob, contents, indices, signal);
      if (this.started++ === 0) {
        this.abortedAt = performance.now();
        stop.abort(reason);
      }
      return hashing;
    }
  })(threaded ? { script: SCRIPT, size: 2, bodyBytesPerJob: 1 << 20 } : { script: null });
  pools.push(pool);
  return pool;
}

describe('aborting a comparison', () => {
  for (const threaded of [false, true]) {
    it(`stops hashing bodies ${threaded ? 'on worker threads' : 'on this thread'} and rejects with the reason`, async () => {
      const images = await twoImages();
      const stop = new AbortController();
      const reason = new Error('stopped by the test');
      const pool = abortingPool(stop, reason, threaded);
      const opts: LoadOptions = { settings: localSettings(), pool, signal: stop.signal };
      const err = await loadComparison(parseReference(images.old, () => true), parseReference(images.new, () => true), { old: opts, new: opts }).catch((e: unknown) => e);
      const took = performance.now() - pool.abortedAt;
      // The hashing had started (OLD's bodies) when the signal fired; NEW's never began.
      expect(pool.started).toBe(1);
      expect(err).toBe(reason);
      expect(took).toBeLessThan(1000);
    });
  }
});
