import { createHash, type Hash } from 'node:crypto';
import { SourceError } from '../errors/index.js';

/** The digest algorithms the OCI image spec registers ("Registered algorithms"): the only ones verified. */
export const DIGEST_ALGORITHMS = ['sha256', 'sha512'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** The algorithm part of `algo:hex`, whatever it is (`md5` for `md5:…`). */
export function algorithmName(digest: string): string {
  const i = digest.indexOf(':');
  return i < 0 ? '' : digest.slice(0, i);
}

/**
 * The algorithm of a digest when the tool can verify it; SourceError('unsupported-format')
 * naming `what` and the algorithm otherwise, or when the encoded part is not lowercase hex of
 * the algorithm's length.
 */
export function digestAlgorithm(digest: string, what: string): DigestAlgorithm {
  const algo = algorithmName(digest);
  if (algo !== 'sha256' && algo !== 'sha512') {
    throw new SourceError('unsupported-format', what, `cannot verify digest algorithm "${algo || digest}" (only sha256 and sha512 are registered)`);
  }
  const hex = digest.slice(algo.length + 1);
  if (hex.length !== HEX_LENGTH[algo] || !/^[0-9a-f]+$/.test(hex)) {
    throw new SourceError('corrupt', what, `the digest "${digest.slice(0, 80)}" is not a valid ${algo} digest`);
  }
  return algo;
}

/** A hash for a digest's algorithm (see `digestAlgorithm` for what is thrown). */
export function digestHasher(digest: string, what: string): Hash {
  return createHash(digestAlgorithm(digest, what));
}

/** `algo:hex` of some bytes. */
export function digestOf(algo: DigestAlgorithm, data: Uint8Array): string {
  return `${algo}:${createHash(algo).update(data).digest('hex')}`;
}

/**
 * Hashes a stream of chunks with several algorithms at once (each at most once), and gives the
 * digests as `algo:hex`.
 */
export class MultiHash {
  private readonly hashes: Map<DigestAlgorithm, Hash>;
  bytes = 0;
  constructor(algos: Iterable<DigestAlgorithm>) {
    this.hashes = new Map([...new Set(algos)].map((a) => [a, createHash(a)]));
  }
  get empty(): boolean {
    return this.hashes.size === 0;
  }
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const h of this.hashes.values()) h.update(chunk);
  }
  digests(): string[] {
    return [...this.hashes].map(([a, h]) => `${a}:${h.digest('hex')}`);
  }
}
