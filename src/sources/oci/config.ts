import { createHash } from 'node:crypto';
import type { HistoryEntry, ImageConfig } from '../../core/index.js';
import { SourceError } from '../../errors/index.js';
import type { Platform } from '../../reference/index.js';
import { isObj, str, strArr } from './json.js';

export { parseJson } from './json.js';

const keys = (v: unknown): string[] | undefined => (isObj(v) ? Object.keys(v) : undefined);

/**
 * Reads an OCI image config or Docker image JSON into `ImageConfig`. Unknown fields are
 * ignored; a config without `rootfs.diff_ids` is accepted (legacy archives) with none.
 */
export function parseImageConfig(raw: unknown, where: string): ImageConfig {
  if (!isObj(raw)) throw new SourceError('corrupt', where, `not an image config (expected a JSON object)`);
  const c = isObj(raw.config) ? raw.config : isObj(raw.container_config) ? raw.container_config : {};
  const rootfs = isObj(raw.rootfs) ? raw.rootfs : {};
  const history: HistoryEntry[] = Array.isArray(raw.history)
    ? raw.history.filter(isObj).map((h) => ({
        created: str(h.created),
        createdBy: str(h.created_by),
        comment: str(h.comment),
        author: str(h.author),
        emptyLayer: h.empty_layer === true,
      }))
    : [];
  const labels = isObj(c.Labels)
    ? Object.fromEntries(Object.entries(c.Labels).filter(([, v]) => typeof v === 'string') as [string, string][])
    : undefined;
  return {
    architecture: str(raw.architecture),
    os: str(raw.os),
    variant: str(raw.variant),
    created: str(raw.created),
    author: str(raw.author),
    diffIds: strArr(rootfs.diff_ids) ?? [],
    history,
    config: {
      user: str(c.User),
      env: strArr(c.Env),
      entrypoint: strArr(c.Entrypoint),
      cmd: strArr(c.Cmd),
      workingDir: str(c.WorkingDir),
      exposedPorts: keys(c.ExposedPorts),
      volumes: keys(c.Volumes),
      labels,
      stopSignal: str(c.StopSignal),
    },
  };
}

/** `sha256:<hex>` of a buffer. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The platform a config names, when it names one. */
export function configPlatform(c: ImageConfig): Platform | undefined {
  if (!c.os || !c.architecture) return undefined;
  return c.variant ? { os: c.os, architecture: c.architecture, variant: c.variant } : { os: c.os, architecture: c.architecture };
}

/**
 * Throws SourceError('corrupt') unless a manifest lists as many layers as the config has diff
 * IDs. `legacyMayOmit`: old docker-save configs carry no diff IDs at all, which is accepted.
 *
 * @param manifestName how the manifest is called in the message (`manifest.json`, `the manifest`).
 */
export function checkLayerCount(what: string, manifestName: string, layers: number, config: ImageConfig, legacyMayOmit = false): void {
  const n = config.diffIds.length;
  if (n === layers || (legacyMayOmit && n === 0)) return;
  throw new SourceError('corrupt', what, `${manifestName} lists ${layers} layers but the config has ${n} diff IDs`);
}
