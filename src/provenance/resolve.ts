import type { ProvenanceSources } from './buildkit-provenance.js';
import { verdictUsable, type DockerfileVerdict } from './match-dockerfile.js';
import type { ImageSources } from './types.js';

/**
 * The lines to show for an image: BuildKit's provenance when the image carries usable provenance
 * (it records where each step came from, so it wins), else a Dockerfile whose verdict is good
 * enough for how it was found (`verdictUsable`), else none: no line rather than a wrong one.
 */
export function resolveImageSources(found: {
  readonly provenance?: ProvenanceSources;
  readonly dockerfile?: { readonly verdict: DockerfileVerdict; readonly how: 'given' | 'found' };
}): ImageSources | null {
  if (found.provenance?.kind === 'ok') return found.provenance.sources;
  const d = found.dockerfile;
  if (d && verdictUsable(d.verdict, d.how)) return d.verdict.sources;
  return null;
}
