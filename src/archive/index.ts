/**
 * Reading layers: tar indexing (positional for a file region, one pass for a stream),
 * decompression by sniffed format, body hashing and comparison on worker threads, and the
 * digests that verify blobs. The only module other folders import from `archive/`.
 */
export type { Compression, HashRequest, LayerAccess, LayerBlob, LayerContents, Measured, ProgressFn, ReadonlyTypedArray } from './layer-blob.js';
export { contentsOf, readLayer, readLayerStream, sniffFileRegion } from './read-layer.js';
export type { ReadLayerOptions } from './read-layer.js';
export { hashEntries } from './entry-hash.js';
export type { BodyDigests } from './entry-hash.js';
export { TarParser } from './tar-parser.js';
export type { MemberSink, ParsedTar } from './tar-parser.js';
export { toEntry } from './tar-entry.js';
export { cleanPath, entryTypeOf } from './tar-header.js';
export { peek } from './peek.js';
export { decodeStored, openStored } from './stored.js';
export { countBytes } from './count-bytes.js';
export { sniffCompression } from './decompress.js';
export { digestAlgorithm, digestHasher, digestOf, MultiHash } from './digest.js';
export type { DigestAlgorithm } from './digest.js';
export { readSampleKey, SAMPLE_BYTES, scanTarRegion } from './tar-scan.js';
export { ENTRY_TYPES, packContents, unpackContents } from './packed-contents.js';
export type { PackedContents } from './packed-contents.js';
export { inThreadPool, sharedPool, WorkerPool } from './worker-pool.js';
export type { RegionDigests } from './worker-pool.js';
