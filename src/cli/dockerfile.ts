import path from 'node:path';
import { UsageError } from '../errors/index.js';
import type { DockerfileCandidate } from '../load/index.js';
import { DOCKERFILE_NAMES } from '../provenance/index.js';
import { readConfigFile } from './config-file.js';

/**
 * A path as reports name it: relative to the working directory, with `/` separators
 * (`docker/Dockerfile` for `./docker/Dockerfile` or `/repo/docker/Dockerfile` run in /repo).
 * Code scanning, GitLab and workflow annotations resolve it against the checkout.
 */
export function reportedPath(file: string, cwd: string): string {
  return path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
}

/**
 * The Dockerfiles to locate the layers with. `--dockerfile PATH`: that file, read with the
 * config files' bounds (a regular file of at most 1 MiB; anything else is a UsageError naming
 * it). Without it, `Containerfile` then `Dockerfile` in the working directory, those present:
 * one that is no regular file or too large is passed over, since nobody named it.
 */
export async function readDockerfiles(given: string | undefined, cwd: string): Promise<DockerfileCandidate[]> {
  if (given !== undefined) {
    const text = (await readConfigFile(path.resolve(cwd, given), given, false))!;
    return [{ text, file: reportedPath(given, cwd), how: 'given' }];
  }
  const found: DockerfileCandidate[] = [];
  for (const name of DOCKERFILE_NAMES) {
    try {
      const text = await readConfigFile(path.resolve(cwd, name), name, true);
      if (text !== undefined) found.push({ text, file: name, how: 'found' });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
    }
  }
  return found;
}
