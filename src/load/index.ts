/** The one lifecycle shared by CI, the inspector and the library: reference in, analysis out. */
export { loadImage, loadSummary, summarizePackages } from './load-image.js';
export type { LoadCaches, LoadedImage, LoadedSummary, LoadEvent, LoadOptions } from './load-image.js';
export { NO_LINES } from './lines.js';
export type { DockerfileCandidate, ImageLines } from './lines.js';
export { sqliteWasmPath } from './sqlite-wasm.js';
export { loadComparison } from './compare.js';
export type { LoadedComparison } from './compare.js';
export type { DigestTable } from './digest-table.js';
