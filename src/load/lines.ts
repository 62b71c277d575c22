import { matchDockerfile, readBuildkitProvenance, resolveImageSources, sourcesFromProvenance, verdictUsable, type DockerfileVerdict, type ImageSources, type ProvenanceSources } from '../provenance/index.js';
import type { OpenedImage } from '../sources/index.js';

/**
 * A Dockerfile to hold against the image: its text, its path as reports name it (relative to
 * the working directory, as the user gave it), and how it came: named by the user (`given`,
 * which may match on keywords alone) or found in the working directory (`found`, which must
 * match on the text of at least one step; see `verdictUsable`).
 */
export type DockerfileCandidate = { readonly text: string; readonly file: string; readonly how: 'given' | 'found' };

/**
 * Which Dockerfile line made each layer, as the lifecycle found it, beside the analysis.
 * `sources` is null when nothing located the layers: no provenance in the image and no
 * Dockerfile that matches its history. `warnings` says, one clause each, why a Dockerfile the
 * user named gave no lines (text from a file: escape it before printing).
 */
export type ImageLines = { readonly sources: ImageSources | null; readonly warnings: readonly string[] };

/** No lines and nothing to say: what an image gets when no Dockerfile is known and it carries no provenance. */
export const NO_LINES: ImageLines = { sources: null, warnings: [] };

/**
 * The lines of an opened image: BuildKit's provenance when the image carries usable provenance
 * for its own manifest and layers, else the first Dockerfile candidate whose verdict is good
 * enough for how it came (`verdictUsable`). Pure apart from the source's provenance read, which
 * may reject (a blob that contradicts its digest): the caller treats that like any other blob.
 */
export async function readImageLines(image: OpenedImage, dockerfiles: readonly DockerfileCandidate[]): Promise<ImageLines> {
  const history = image.config.history;
  const found = image.provenance ? await image.provenance() : undefined;
  let provenance: ProvenanceSources | undefined;
  if (found) {
    const read = readBuildkitProvenance(found.statement);
    if (read.kind === 'ok') {
      // The user's file names the locations when it is the one the build recorded.
      const recorded = read.provenance.infos[0]?.text;
      const own = dockerfiles.find((d) => d.text === recorded) ?? dockerfiles.find((d) => d.how === 'given');
      provenance = sourcesFromProvenance(read.provenance, {
        layerDigests: found.layerDigests,
        history,
        manifestDigest: found.manifestDigest,
        ...(own ? { dockerfile: { file: own.file, text: own.text } } : {}),
      });
    }
  }
  if (provenance?.kind === 'ok') return { sources: resolveImageSources({ provenance }), warnings: [] };
  const warnings: string[] = [];
  for (const d of dockerfiles) {
    const verdict: DockerfileVerdict = matchDockerfile({ text: d.text, file: d.file }, history, image.layers.length);
    if (verdictUsable(verdict, d.how)) return { sources: resolveImageSources({ dockerfile: { verdict, how: d.how } }), warnings };
    if (d.how === 'given' && verdict.kind === 'mismatch') warnings.push(`${d.file} does not describe this image (${verdict.reason}${verdict.line !== undefined ? `, line ${verdict.line}` : ''}): no Dockerfile lines`);
  }
  return { sources: null, warnings };
}
