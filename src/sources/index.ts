/**
 * Where images come from: one adapter per transport (archives, OCI layouts, registries, the
 * Docker daemon, containerd, bare layer files) behind one contract, `ImageSource`, and the table
 * that picks one for a reference. The only module other folders import from `sources/`: the
 * table and the contract's types (the registry source stays behind the table's lazy import).
 */
export { openImage, imageNames } from './table.js';
export type { LayerHandle, OpenedImage } from './image-source.js';
export type { SourceSettings } from './settings.js';
