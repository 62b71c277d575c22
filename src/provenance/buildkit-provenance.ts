import type { HistoryEntry } from '../core/index.js';
import { parseDockerfile, type DockerfileInstruction, type DockerfileStage, type ParsedDockerfile } from './dockerfile.js';
import { normalizeSpace } from './expand.js';
import type { ImageSources, InstructionRef, LayerSource, SourceLocation } from './types.js';

/**
 * BuildKit's provenance attestation (`docs/attestations/slsa-definitions.md` of moby/buildkit and
 * its Go types in `solver/llbsolver/provenance/types`), read into what locates a layer:
 *
 * - the LLB steps: `buildConfig.llbDefinition[]` (`{ id: "step3", op: { Op: { exec | source |
 *   file | merge | … } }, inputs: ["step2:0"] }`); the last one has no `Op` and names the result;
 * - `buildkit_metadata.source.locations`: step id → `{ locations: [{ sourceIndex, ranges: [{ start:
 *   { line }, end: { line } }] }] }`, one range per line of the instruction (1-based), into
 *   `source.infos[sourceIndex]` (`filename`, `data`: the Dockerfile, base64);
 * - `buildkit_metadata.layers`: `"stepN:output"` → layer chains (OCI descriptors, base first) of
 *   that step's result.
 *
 * SLSA v1 (`https://slsa.dev/provenance/v1`) keeps them in
 * `predicate.buildDefinition.internalParameters.buildConfig` and
 * `predicate.runDetails.metadata.buildkit_metadata`; v0.2 (`https://slsa.dev/provenance/v0.2`) in
 * `predicate.buildConfig` and `predicate.metadata["https://mobyproject.org/buildkit@v1#metadata"]`.
 * Only `mode=max` provenance has locations and layers.
 */
export const PROVENANCE_PREDICATE_TYPES: readonly string[] = ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'];

/** One LLB step. */
export type ProvenanceStep = {
  readonly id: string;
  readonly op: 'source' | 'exec' | 'file' | 'merge' | 'diff' | 'build' | 'passthrough' | 'none';
  /** A source step's identifier: `docker-image://docker.io/library/alpine:3.20@sha256:…`, `local://context`. */
  readonly identifier?: string;
  readonly inputs: readonly string[];
  /** The instruction lines this step ran, per source: first and last line. */
  readonly locations: readonly { readonly sourceIndex: number; readonly line: number; readonly endLine: number }[];
};

export type BuildkitProvenance = {
  readonly predicateType: string;
  /** The Dockerfile's path as the build named it (`configSource.path` / `entryPoint`). */
  readonly configPath?: string;
  /** The stage the build stopped at (`--target`), from the recorded request. */
  readonly target?: string;
  /** The digests the statement is about (`subject[].digest.sha256`, with `sha256:`). */
  readonly subjects: readonly string[];
  readonly steps: ReadonlyMap<string, ProvenanceStep>;
  /** The step output that is the build's result (`step7:0`), when the definition names one. */
  readonly result?: string;
  /** The sources the locations point into; `text` when the build recorded it. */
  readonly infos: readonly { readonly filename: string; readonly text?: string }[];
  /** Step output → its layer chains, as digests, base first. */
  readonly layers: ReadonlyMap<string, readonly (readonly string[])[]>;
};

export type ProvenanceRead = { readonly kind: 'ok'; readonly provenance: BuildkitProvenance } | { readonly kind: 'unusable'; readonly reason: string };

// Bounds on what a hostile statement can make this code hold or walk.
const MAX_STEPS = 100_000;
const MAX_RANGES = 1_000_000;
const MAX_CHAINS = 100_000;
const MAX_DESCRIPTORS = 1_000_000;
const MAX_SOURCE_BASE64 = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), v);

/**
 * Reads an in-toto statement (the parsed JSON of an attestation blob). Pure and total: anything
 * that is not BuildKit `mode=max` provenance gives `unusable` with the reason.
 */
export function readBuildkitProvenance(statement: unknown): ProvenanceRead {
  const predicateType = str(at(statement, 'predicateType'));
  if (predicateType === undefined || !PROVENANCE_PREDICATE_TYPES.includes(predicateType)) return { kind: 'unusable', reason: 'not a SLSA provenance statement' };
  const predicate = at(statement, 'predicate');
  const v1 = predicateType.endsWith('/v1');
  const buildConfig = v1 ? at(predicate, 'buildDefinition', 'internalParameters', 'buildConfig') : at(predicate, 'buildConfig');
  const meta = v1 ? at(predicate, 'runDetails', 'metadata', 'buildkit_metadata') : at(predicate, 'metadata', 'https://mobyproject.org/buildkit@v1#metadata');
  const configPath = str(v1 ? at(predicate, 'buildDefinition', 'externalParameters', 'configSource', 'path') : at(predicate, 'invocation', 'configSource', 'entryPoint'));
  const args = v1 ? at(predicate, 'buildDefinition', 'externalParameters', 'request', 'args') : at(predicate, 'invocation', 'parameters', 'args');
  const target = str(at(args, 'target'));
  const def = at(buildConfig, 'llbDefinition');
  const locs = at(meta, 'source', 'locations');
  const layersIn = at(meta, 'layers');
  if (!Array.isArray(def) || !isObj(locs) || Object.keys(locs).length === 0) return { kind: 'unusable', reason: 'the provenance has no source locations (it was made with mode=min)' };
  if (!isObj(layersIn)) return { kind: 'unusable', reason: 'the provenance maps no layers' };
  if (def.length > MAX_STEPS) return { kind: 'unusable', reason: `the provenance has more than ${MAX_STEPS} steps` };

  let ranges = 0;
  const steps = new Map<string, ProvenanceStep>();
  let result: string | undefined;
  for (let i = 0; i < def.length; i++) {
    const s = def[i];
    const id = str(at(s, 'id'));
    if (id === undefined) continue;
    const inputs = (Array.isArray(at(s, 'inputs')) ? (at(s, 'inputs') as unknown[]) : []).filter((x): x is string => typeof x === 'string');
    const op = at(s, 'op', 'Op');
    const kind = opKind(op);
    const locations: { sourceIndex: number; line: number; endLine: number }[] = [];
    const l = at(locs, id, 'locations');
    if (Array.isArray(l)) {
      for (const loc of l) {
        const rs = at(loc, 'ranges');
        if (!Array.isArray(rs)) continue;
        let lo = Infinity;
        let hi = -Infinity;
        for (const r of rs) {
          if (++ranges > MAX_RANGES) return { kind: 'unusable', reason: `the provenance has more than ${MAX_RANGES} source ranges` };
          for (const line of [at(r, 'start', 'line'), at(r, 'end', 'line')]) {
            if (typeof line === 'number' && Number.isSafeInteger(line) && line > 0) {
              lo = Math.min(lo, line);
              hi = Math.max(hi, line);
            }
          }
        }
        const sourceIndex = at(loc, 'sourceIndex') ?? 0; // protobuf JSON leaves a 0 out
        if (lo <= hi && typeof sourceIndex === 'number' && Number.isSafeInteger(sourceIndex) && sourceIndex >= 0) locations.push({ sourceIndex, line: lo, endLine: hi });
      }
    }
    const identifier = kind === 'source' ? str(at(op, 'source', 'identifier')) : undefined;
    steps.set(id, { id, op: kind, identifier, inputs, locations });
    if (i === def.length - 1 && kind === 'none' && inputs.length === 1) result = inputs[0];
  }

  const infos: { filename: string; text?: string }[] = [];
  const infosIn = at(meta, 'source', 'infos');
  if (Array.isArray(infosIn)) {
    for (const info of infosIn) {
      const data = str(at(info, 'data'));
      const text = data !== undefined && data.length <= MAX_SOURCE_BASE64 ? Buffer.from(data, 'base64').toString('utf8') : undefined;
      infos.push({ filename: str(at(info, 'filename')) ?? '', text });
    }
  }

  let chains = 0;
  let descriptors = 0;
  const layers = new Map<string, string[][]>();
  for (const [key, value] of Object.entries(layersIn)) {
    if (!Array.isArray(value)) continue;
    const list: string[][] = [];
    for (const chain of value) {
      if (!Array.isArray(chain)) continue;
      if (++chains > MAX_CHAINS) return { kind: 'unusable', reason: `the provenance has more than ${MAX_CHAINS} layer chains` };
      if ((descriptors += chain.length) > MAX_DESCRIPTORS) return { kind: 'unusable', reason: `the provenance lists more than ${MAX_DESCRIPTORS} layer descriptors` };
      const digests = chain.map((d) => str(at(d, 'digest')));
      if (digests.every((d): d is string => d !== undefined)) list.push(digests);
    }
    layers.set(key, list);
  }

  const subjects: string[] = [];
  const subj = at(statement, 'subject');
  if (Array.isArray(subj)) for (const s of subj) {
    const hex = str(at(s, 'digest', 'sha256'));
    if (hex !== undefined) subjects.push(`sha256:${hex}`);
  }
  return { kind: 'ok', provenance: { predicateType, configPath, target, subjects, steps, result, infos, layers } };
}

function opKind(op: unknown): ProvenanceStep['op'] {
  if (!isObj(op)) return 'none';
  for (const k of ['exec', 'source', 'file', 'merge', 'diff', 'build', 'passthrough'] as const) if (isObj(op[k])) return k;
  return 'none';
}

/** What the image gives to place the provenance on its layers. */
export type ProvenanceImage = {
  /** The layer descriptors' digests, in manifest order (what BuildKit's layer chains list). */
  readonly layerDigests: readonly (string | undefined)[];
  /** The config's history, for `steps`; without it `steps` is empty. */
  readonly history?: readonly HistoryEntry[];
  /** The image manifest's digest: when given, it must be one of the statement's subjects. */
  readonly manifestDigest?: string;
  /**
   * The Dockerfile the user has (`--dockerfile`, or one found): its path is reported instead of
   * the name the build recorded when its text is the recorded one (or none was recorded), since
   * the lines are those of the file as it was built.
   */
  readonly dockerfile?: { readonly file: string; readonly text: string };
};

export type ProvenanceSources = { readonly kind: 'ok'; readonly sources: ImageSources } | { readonly kind: 'unusable'; readonly reason: string };

const BASE_SOURCE = /^(?:docker-image|oci-layout):\/\//;

/**
 * The Dockerfile line of each layer, from provenance. A layer belongs to the step whose result's
 * layer chain ends with it while the chains of the step's inputs do not (a step that changed
 * nothing repeats its input's chain); layers in the chain of an image the build started `FROM`
 * are the base. A layer whose step has no location, or several that disagree, has no line.
 */
export function sourcesFromProvenance(p: BuildkitProvenance, image: ProvenanceImage): ProvenanceSources {
  const D = image.layerDigests;
  if (D.some((d) => d === undefined)) return { kind: 'unusable', reason: 'the image lists no layer digests to compare with the provenance' };
  if (image.manifestDigest !== undefined && p.subjects.length > 0 && !p.subjects.includes(image.manifestDigest)) return { kind: 'unusable', reason: 'the provenance is about another image' };
  const isPrefix = (c: readonly string[]) => c.length > 0 && c.length <= D.length && c.every((d, i) => d === D[i]);
  // For each step output, the length of its chain that starts this image's layers.
  const prefixLen = new Map<string, number>();
  for (const [key, chains] of p.layers) {
    const c = chains.find(isPrefix);
    if (c) prefixLen.set(key, c.length);
  }
  if (p.result !== undefined && p.layers.has(p.result) && prefixLen.get(p.result) !== D.length) return { kind: 'unusable', reason: 'the provenance describes other layers than the image has' };
  // Step outputs by the length of that chain, and the others (made on scratch: `COPY --link`) by their last layer.
  const byLength = new Map<number, string[]>();
  const byLast = new Map<string, string[]>();
  const add = <K,>(m: Map<K, string[]>, k: K, key: string) => {
    const list = m.get(k);
    if (list) list.push(key);
    else m.set(k, [key]);
  };
  for (const [key, n] of prefixLen) add(byLength, n, key);
  for (const [key, chains] of p.layers) if (!prefixLen.has(key)) for (const c of chains) if (c.length > 0) add(byLast, c[c.length - 1]!, key);
  if (prefixLen.size === 0) return { kind: 'unusable', reason: 'no layer of the image appears in the provenance' };
  const stepOf = (key: string) => p.steps.get(key.slice(0, key.lastIndexOf(':')));

  let baseCount = 0;
  for (const [key, n] of prefixLen) {
    const s = stepOf(key);
    if (s?.op === 'source' && BASE_SOURCE.test(s.identifier ?? '')) baseCount = Math.max(baseCount, n);
  }

  const parsed = p.infos.map((i) => (i.text === undefined ? undefined : lineIndex(parseDockerfile(i.text))));
  const recorded = p.infos[0]?.text;
  const local = image.dockerfile !== undefined && (recorded === undefined || recorded === image.dockerfile.text) ? image.dockerfile.file : undefined;
  const fileOf = (sourceIndex: number) => (sourceIndex === 0 && local !== undefined ? local : p.infos[sourceIndex]?.filename || p.configPath || 'Dockerfile');
  const refOf = (loc: ProvenanceStep['locations'][number]): InstructionRef | undefined => {
    if (loc.sourceIndex >= Math.max(1, p.infos.length)) return undefined; // a source the statement does not name
    const df = parsed[loc.sourceIndex];
    const found = df?.at(loc.line);
    if (df && !found) return undefined; // a location that is no instruction of the recorded text is not trusted
    const file = fileOf(loc.sourceIndex);
    if (!found) return { location: { file, line: loc.line, endLine: loc.endLine }, keyword: '', instruction: '', stage: null };
    const location: SourceLocation = { file, line: Math.min(loc.line, found.ins.line), endLine: Math.max(loc.endLine, found.ins.endLine) };
    const stage = found.stage.name === undefined ? { index: found.stage.index } : { index: found.stage.index, name: found.stage.name };
    return { location, keyword: found.ins.keyword, instruction: normalizeSpace(found.ins.logical), stage };
  };

  // The n-th history step that made a layer made layer n.
  const historyOf = new Map<number, number>();
  let made = 0;
  (image.history ?? []).forEach((h, j) => {
    if (!h.emptyLayer) historyOf.set(made++, j);
  });

  const layers: LayerSource[] = [];
  for (let i = 0; i < D.length; i++) {
    const history = historyOf.get(i);
    if (i < baseCount) {
      layers.push({ layer: i, history, base: true, source: null, instruction: null, stage: null, makers: [] });
      continue;
    }
    const makers = makersOf(i, byLength.get(i + 1) ?? [], byLast.get(D[i]!) ?? [], prefixLen, stepOf);
    const refs = distinct(makers.flatMap((s) => s.locations).map(refOf).filter((r): r is InstructionRef => r !== undefined));
    const one = refs.length === 1 ? refs[0]! : undefined;
    layers.push({ layer: i, history, base: false, source: one?.location ?? null, instruction: one ? one.instruction || null : null, stage: one?.stage ?? null, makers: refs });
  }
  const steps: (InstructionRef | null)[] = (image.history ?? []).map(() => null);
  for (const l of layers) if (l.history !== undefined && l.makers.length === 1) steps[l.history] = l.makers[0]!;
  return { kind: 'ok', sources: { via: 'provenance', file: fileOf(0), from: fromLine(p, parsed[0]?.df, layers, fileOf(0)), layers, steps } };
}

/**
 * The steps that made layer `i`: those whose chain is the image's first `i + 1` layers while no
 * input's is (`ending`); or, when none of them carries a line (a merge for `COPY --link`), the
 * located step that made that layer on its own (`linked`).
 */
function makersOf(i: number, ending: readonly string[], linked: readonly string[], prefixLen: ReadonlyMap<string, number>, stepOf: (key: string) => ProvenanceStep | undefined): ProvenanceStep[] {
  const found: ProvenanceStep[] = [];
  for (const key of ending) {
    const s = stepOf(key);
    if (!s || s.op === 'source') continue;
    if (s.inputs.some((inp) => prefixLen.get(inp) === i + 1)) continue;
    found.push(s);
  }
  if (found.some((s) => s.locations.length > 0)) return found.filter((s) => s.locations.length > 0);
  return linked.map(stepOf).filter((s): s is ProvenanceStep => s !== undefined && s.op !== 'source' && s.locations.length > 0);
}

function distinct(refs: readonly InstructionRef[]): InstructionRef[] {
  const seen = new Map<string, InstructionRef>();
  for (const r of refs) seen.set(`${r.location.file}\0${r.location.line}\0${r.location.endLine}`, r);
  return [...seen.values()];
}

type Indexed = { readonly df: ParsedDockerfile; at(line: number): { ins: DockerfileInstruction; stage: DockerfileStage } | undefined };

/** The recorded Dockerfile with the instruction of each line at hand. */
function lineIndex(df: ParsedDockerfile): Indexed {
  const byLine = new Map<number, { ins: DockerfileInstruction; stage: DockerfileStage }>();
  for (const stage of df.stages) for (const ins of [stage.from, ...stage.instructions]) for (let l = ins.line; l <= ins.endLine; l++) byLine.set(l, { ins, stage });
  return { df, at: (line) => byLine.get(line) };
}

/**
 * The `FROM` of the stage the build produced: the `--target` it recorded, else the last stage of
 * the recorded Dockerfile. Given only when every located layer comes from that stage or the
 * stages it is built on, so that the text and the layers agree.
 */
function fromLine(p: BuildkitProvenance, df: ParsedDockerfile | undefined, layers: readonly LayerSource[], file: string): SourceLocation | null {
  if (!df || df.stages.length === 0) return null;
  const t = p.target?.toLowerCase();
  const stage = t === undefined ? df.stages[df.stages.length - 1]! : df.stages.find((s) => s.name === t);
  if (!stage) return null;
  const chain = new Set<number>([stage.index]);
  for (let s: DockerfileStage | undefined = stage; s; ) {
    const image = s.image.toLowerCase();
    const before: number = s.index;
    s = df.stages.find((q) => q.index < before && q.name === image);
    if (s) chain.add(s.index);
  }
  for (const l of layers) if (l.stage && !chain.has(l.stage.index)) return null;
  return { file, line: stage.from.line, endLine: stage.from.endLine };
}
