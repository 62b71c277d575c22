import { existsSync } from 'node:fs';
import { openSniffedPath } from './files.js';
import type { OpenedImage } from './image-source.js';
import { openRegistryImage } from './registry/index.js';
import type { SourceSettings } from './settings.js';

/**
 * Resolves an argument without a transport: an existing file or directory is read as an
 * archive or OCI layout; anything else is an image name, looked up in the registry.
 */
export async function openBare(value: string, settings: SourceSettings): Promise<OpenedImage> {
  if (existsSync(value)) return openSniffedPath(value, settings);
  return openRegistryImage(value, settings);
}
