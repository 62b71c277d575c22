import { inThreadPool } from '../../archive/index.js';
import type { LayerDescriptor } from '../../core/index.js';
import type { BundleBlob } from './bundle.js';
import type { LayerHandle } from '../image-source.js';

/** A LayerHandle over a bundle member: reads the blob, or hands back what was parsed in passing. */
export function createLayerHandle(descriptor: LayerDescriptor, member: BundleBlob, label: string): LayerHandle {
  if ('parsed' in member) {
    return { descriptor, blob: member.blob, read: async (opts) => (opts?.onProgress?.(member.size, member.size), member.parsed) };
  }
  return {
    descriptor,
    blob: member.blob,
    read: (opts) => (opts?.pool ?? inThreadPool()).readLayer(member.blob, { label, onProgress: opts?.onProgress, hash: opts?.hash, signal: opts?.signal }),
  };
}

export { shortDigest } from '../../format/index.js';
