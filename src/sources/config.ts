import { createHash } from 'node:crypto';
import type { HistoryEntry, ImageConfig } from '../core/model.js';
import { SourceError } from '../errors/index.js';

/** Parses JSON from a metadata member, naming the file and member when it is invalid. */
export function parseJson(data: Buffer, where: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new SourceError('corrupt', where, `not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strArr = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
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

/** `os/arch[/variant]` from a config, when it names them. */
export function configPlatform(c: ImageConfig): string | undefined {
  if (!c.os || !c.architecture) return undefined;
  return c.variant ? `${c.os}/${c.architecture}/${c.variant}` : `${c.os}/${c.architecture}`;
}
