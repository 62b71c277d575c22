import { digestAlgorithm, type DigestAlgorithm, type HashRequest, type LayerContents, type WorkerPool } from '../archive/index.js';
import type { LayerDescriptor } from '../core/index.js';
import { SourceError } from '../errors/index.js';
import { shortDigest } from '../format/index.js';
import type { LayerHandle } from '../sources/index.js';

/** What a layer claims about its bytes, with the algorithms checked (only registered ones are verified). */
export type LayerClaims = {
  readonly digest?: string;
  readonly diffId?: string;
  readonly size?: number;
  /** What the reader should hash as the bytes pass. */
  readonly request: HashRequest;
};

/**
 * The claims of a layer's descriptor, refusing by name a digest algorithm the tool cannot verify
 * and a size that cannot be right (0, negative, fractional).
 *
 * @param label names the layer in messages (`docker-archive:img.tar: layer 2 (sha256:ab12…)`).
 */
export function claimsOf(d: LayerDescriptor, label: string): LayerClaims {
  const digestAlgo = d.digest === undefined ? undefined : digestAlgorithm(d.digest, `${label}: digest`);
  const diffAlgo = d.diffId === undefined ? undefined : digestAlgorithm(d.diffId, `${label}: diffID`);
  if (d.compressedSize !== undefined && !(Number.isSafeInteger(d.compressedSize) && d.compressedSize > 0)) {
    throw new SourceError('corrupt', label, `the descriptor gives the blob a size of ${d.compressedSize}, which no layer can have`);
  }
  const algos = (...a: (DigestAlgorithm | undefined)[]) => [...new Set(a.filter((x): x is DigestAlgorithm => x !== undefined))];
  return { digest: d.digest, diffId: d.diffId, size: d.compressedSize, request: { stored: algos(digestAlgo), tar: algos(diffAlgo) } };
}

/** The label the lifecycle gives layer `i` in messages. */
export function layerLabel(reference: string, i: number, d: LayerDescriptor): string {
  const id = d.digest ?? d.diffId;
  return `${reference}: layer ${i}${id ? ` (${shortDigest(id)})` : ''}`;
}

function mismatch(label: string, what: string, claimed: string, actual: string | undefined): SourceError {
  return new SourceError(
    'digest-mismatch',
    label,
    `the layer's bytes do not match its ${what} ${shortDigest(claimed, 16)}… (they hash to ${actual ? `${shortDigest(actual, 16)}…` : 'something else'}); refusing the image`,
  );
}

function check(label: string, what: string, claimed: string | undefined, measured: readonly string[] | undefined): void {
  if (claimed === undefined) return;
  const algo = claimed.slice(0, claimed.indexOf(':') + 1);
  const actual = measured?.find((m) => m.startsWith(algo));
  if (actual === undefined) throw new SourceError('unsupported-format', label, `cannot verify the ${what} ${shortDigest(claimed)}: the bytes were not hashed with ${algo.slice(0, -1)}`);
  if (actual !== claimed) throw mismatch(label, what, claimed, actual);
}

function checkSize(label: string, claimed: number | undefined, actual: number | undefined): void {
  if (claimed === undefined || actual === undefined || claimed === actual) return;
  throw new SourceError('digest-mismatch', label, `the blob is ${actual} bytes but its descriptor says ${claimed}; refusing the image`);
}

/** True when a read measured everything the claims need: the stored bytes (digest and size) and the tar. */
function measuredAll(claims: LayerClaims, contents: LayerContents): boolean {
  const m = contents.measured;
  if (!m || m.storedSize === undefined) return false;
  const has = (list: readonly string[] | undefined, algo: DigestAlgorithm) => list?.some((d) => d.startsWith(`${algo}:`)) === true;
  const tarList = contents.compression === 'none' && !m.tar ? m.stored : m.tar;
  return (claims.request.stored ?? []).every((a) => has(m.stored, a)) && (claims.request.tar ?? []).every((a) => has(tarList, a));
}

/**
 * Starts verifying one layer; `finish` then compares every claim with what was measured: the
 * digest with the stored bytes, the diffID with the uncompressed tar (the stored bytes again
 * when the layer is not compressed), the size with the stored length. The reader measures all
 * of it in the pass that reads the layer (`LayerReadOptions.hash`); for a blob in a file whose
 * read did not (a reader that only scans headers), the pool hashes the stored bytes then.
 * `finish` rejects with SourceError('digest-mismatch') naming `label` on any difference.
 */
export function startVerification(
  layer: LayerHandle,
  claims: LayerClaims,
  label: string,
  pool: WorkerPool,
  signal: AbortSignal,
): { finish(contents: LayerContents): Promise<void>; explain(e: unknown): Promise<unknown> } {
  const blob = layer.blob;
  const algos = [...new Set([...(claims.request.stored ?? []), ...(claims.request.tar ?? [])])];
  let region: Promise<{ digests: readonly string[]; bytes: number }> | undefined;
  /** The stored bytes of a blob in a file hashed apart from the read (once). */
  const hashRegion = () => {
    if (blob?.kind !== 'file-region' || algos.length === 0) return undefined;
    region ??= pool.hashRegion(blob.file, blob.offset, blob.length, algos, label, signal);
    return region;
  };
  return {
    /**
     * For a read that failed on bytes in a file: the mismatch with the digest or size when
     * there is one, since it explains the failure better; else `e`.
     */
    async explain(e) {
      if (blob?.kind !== 'file-region' || !(e instanceof SourceError) || e.kind !== 'corrupt') return e;
      try {
        const r = await hashRegion();
        if (!r) return e;
        checkSize(label, claims.size, r.bytes);
        check(label, 'digest', claims.digest, r.digests);
      } catch (m) {
        if (m instanceof SourceError && m.kind === 'digest-mismatch') return m;
      }
      return e;
    },
    async finish(contents) {
      const m = contents.measured;
      if (blob?.kind === 'file-region') {
        checkSize(label, claims.size, blob.length);
        const r = measuredAll(claims, contents) ? undefined : await hashRegion();
        if (r) {
          checkSize(label, claims.size, r.bytes);
          checkSize(label, blob.length, r.bytes);
          check(label, 'digest', claims.digest, r.digests);
          check(label, 'diffID', claims.diffId, contents.compression === 'none' ? r.digests : m?.tar);
          return;
        }
        checkSize(label, blob.length, m?.storedSize);
      }
      checkSize(label, claims.size, m?.storedSize);
      check(label, 'digest', claims.digest, m?.stored);
      check(label, 'diffID', claims.diffId, contents.compression === 'none' && !m?.tar ? m?.stored : m?.tar);
    },
  };
}
