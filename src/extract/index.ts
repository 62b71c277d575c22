/**
 * Reading file bodies back out of layers for the inspector: the body reader its viewer uses and
 * the extractor that writes chosen paths to disk. The only module other folders import from
 * `extract/`.
 */
export { createBodyReader } from './body-reader.js';
export { createExtractor } from './extract.js';
export type { BodyReader, Extractor } from './types.js';
