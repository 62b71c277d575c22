/**
 * Which Dockerfile line made each layer. Pure: it takes the Dockerfile's text (and its path as
 * the user gave it), the image config's history, and BuildKit's provenance statement when the
 * image carries one, and returns the locations; finding and reading the files and the
 * attestation is the caller's. A layer that matches no instruction has no line, never a wrong
 * one; layers of the base image have none.
 */
export type { SourceLocation, StageRef, InstructionRef, LayerSource, ImageSources, Builder } from './types.js';
export { matchDockerfile, verdictUsable } from './match-dockerfile.js';
export type { DockerfileInput, DockerfileVerdict } from './match-dockerfile.js';
export { readBuildkitProvenance, sourcesFromProvenance, PROVENANCE_PREDICATE_TYPES } from './buildkit-provenance.js';
export type { BuildkitProvenance, ProvenanceRead, ProvenanceStep, ProvenanceImage, ProvenanceSources } from './buildkit-provenance.js';
export { resolveImageSources } from './resolve.js';
export { readHistoryStep } from './history-step.js';
export type { HistoryStep } from './history-step.js';
export { parseDockerfile } from './dockerfile.js';
export type { ParsedDockerfile, DockerfileStage, DockerfileInstruction } from './dockerfile.js';

/** The names a Dockerfile has in the working directory when none is named, in the order builders look for them. */
export const DOCKERFILE_NAMES: readonly string[] = ['Containerfile', 'Dockerfile'];
