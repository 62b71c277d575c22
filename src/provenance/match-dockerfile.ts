import type { HistoryEntry } from '../core/index.js';
import { parseDockerfile, type DockerfileInstruction, type DockerfileStage, type ParsedDockerfile } from './dockerfile.js';
import { expandWord, expandWords, matchesWords, normalizeSpace, wordText, type Lookup, type Word } from './expand.js';
import { readHistoryStep, type HistoryStep } from './history-step.js';
import type { Builder, ImageSources, InstructionRef, LayerSource, SourceLocation, StageRef } from './types.js';

/** A Dockerfile to hold against an image's history. */
export type DockerfileInput = {
  /** The file's text. */
  readonly text: string;
  /** Its path as the user gave it (or the default name found), reported as is in every location. */
  readonly file: string;
  /** Build arguments the build was given (`--build-arg`), when known. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The stage the build stopped at (`--target`), when known; otherwise the final stage is tried first. */
  readonly target?: string;
};

/**
 * Whether a Dockerfile describes an image, and if so the lines of its layers.
 *
 * `match`: every instruction of the built stage (and of the stages it is built `FROM`) lines up
 * with the history steps above the base image, in order, as the builder that wrote them records
 * them. `confidence` is `strong` when at least one step matched on its whole text (a RUN's
 * command, a COPY's sources and destination, kaniko's instruction), `weak` when only keywords,
 * keys and destinations did (a Dockerfile of `FROM`, `COPY . /app` and `CMD` matches many
 * images). `mismatch` says why, with the first line and history step that disagree.
 */
export type DockerfileVerdict =
  | {
      readonly kind: 'match';
      readonly confidence: 'strong' | 'weak';
      readonly builder: Builder;
      readonly stage: StageRef;
      /** History steps paired with an instruction, and how many of them on their whole text. */
      readonly matched: number;
      readonly textual: number;
      readonly sources: ImageSources;
    }
  /** `reason` is one clause; it may name the user's `--target`: escape it before printing. */
  | { readonly kind: 'mismatch'; readonly reason: string; readonly line?: number; readonly history?: number };

/**
 * Whether a verdict is good enough to show lines: a Dockerfile the user named (`given`) may
 * match weakly; one found in the working directory (`found`) must match strongly, since nobody
 * vouched for it.
 */
export function verdictUsable(v: DockerfileVerdict, how: 'given' | 'found'): v is Extract<DockerfileVerdict, { kind: 'match' }> {
  return v.kind === 'match' && (how === 'given' || v.confidence === 'strong');
}

/**
 * Holds a Dockerfile against an image config's history. Pure; `layerCount` is the number of
 * layers of the image (`rootfs.diff_ids`). Never throws on any text or history.
 */
export function matchDockerfile(input: DockerfileInput, history: readonly HistoryEntry[], layerCount: number): DockerfileVerdict {
  const df = parseDockerfile(input.text);
  if (df.stages.length === 0) return { kind: 'mismatch', reason: 'no FROM instruction' };
  if (history.length === 0) return { kind: 'mismatch', reason: 'the image has no history' };
  const made = history.filter((h) => !h.emptyLayer).length;
  if (made !== layerCount) return { kind: 'mismatch', reason: `the history records ${made} layers, the image has ${layerCount}` };
  const steps = history.map(readHistoryStep);
  const last = df.stages.length - 1;
  let order: number[];
  if (input.target !== undefined) {
    const t = input.target.toLowerCase();
    const i = df.stages.findIndex((s) => s.name === t);
    if (i < 0) return { kind: 'mismatch', reason: `no stage named ${input.target}` };
    order = [i];
  } else order = [last, ...df.stages.map((s) => s.index).filter((i) => i !== last).reverse()].slice(0, MAX_STAGES_TRIED);
  let first: DockerfileVerdict | undefined;
  for (const i of order) {
    const v = alignStage(df, i, steps, history, input);
    // An earlier stage stands for the image only on strong evidence (a build with --target nobody told us of).
    if (v.kind === 'match' && (i === order[0] || v.confidence === 'strong')) return v;
    first ??= v;
  }
  return first!;
}

/** How many stages are held against the history when the final one does not match (each try is linear in the stage's instructions). */
const MAX_STAGES_TRIED = 16;

type Placed = { readonly ins: DockerfileInstruction; readonly stage: DockerfileStage };

/** The stages a stage is built on, root first, ending with it (`FROM builder AS final` continues `builder`). */
function stageChain(df: ParsedDockerfile, index: number, globals: Lookup): DockerfileStage[] {
  // A name refers to the last stage of that name before the one that uses it.
  const named = new Map<string, number[]>();
  for (const st of df.stages) {
    if (st.name === undefined) continue;
    const list = named.get(st.name);
    if (list) list.push(st.index);
    else named.set(st.name, [st.index]);
  }
  const chain: DockerfileStage[] = [];
  let s: DockerfileStage | undefined = df.stages[index];
  while (s) {
    chain.unshift(s);
    const image: string | undefined = wordText(expandWord(s.image, globals, df.escape))?.toLowerCase();
    const at: number = s.index;
    const before: number | undefined = image === undefined ? undefined : lastBelow(named.get(image) ?? [], at);
    s = before === undefined ? undefined : df.stages[before];
  }
  return chain;
}

/** The last number below `limit` in an ascending list. */
function lastBelow(sorted: readonly number[], limit: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? sorted[lo - 1] : undefined;
}

function alignStage(df: ParsedDockerfile, index: number, steps: readonly HistoryStep[], history: readonly HistoryEntry[], input: DockerfileInput): DockerfileVerdict {
  // ARGs before the first FROM: their values serve the FROM lines and a stage's `ARG NAME` without a default.
  const globals = new Map<string, string | null | undefined>();
  for (const a of df.globalArgs) {
    for (const [k, v] of argPairs(a, (n) => globals.get(n), df.escape)) globals.set(k, input.buildArgs?.[k] ?? (v === undefined ? null : wordText(v)));
  }
  const chain = stageChain(df, index, (n) => globals.get(n));
  const placed: Placed[] = chain.flatMap((stage) => stage.instructions.map((ins) => ({ ins, stage })));
  const builder = steps[steps.length - 1]!.builder;
  const stage = chain[chain.length - 1]!;
  const ctx: Ctx = { df, input, globals, steps, history, stage };
  if (builder === 'unknown') return { kind: 'mismatch', reason: 'the last history step is in a form no known builder writes', history: steps.length - 1 };
  return builder === 'kaniko' ? alignKaniko(ctx, placed) : alignInOrder(ctx, placed, builder);
}

type Ctx = {
  readonly df: ParsedDockerfile;
  readonly input: DockerfileInput;
  readonly globals: ReadonlyMap<string, string | null | undefined>;
  readonly steps: readonly HistoryStep[];
  readonly history: readonly HistoryEntry[];
  readonly stage: DockerfileStage;
};

/**
 * BuildKit and the classic builders record one history step for every instruction of the built
 * stages (BuildKit none for ONBUILD), so the last steps of the history are those instructions,
 * one for one, and everything below is the base image.
 */
function alignInOrder(ctx: Ctx, placed: readonly Placed[], builder: Builder): DockerfileVerdict {
  const { steps, df, input } = ctx;
  const recorded = placed.filter((p) => !(builder === 'buildkit' && p.ins.keyword === 'ONBUILD'));
  const base = steps.length - recorded.length;
  if (base < 0) return { kind: 'mismatch', reason: `the Dockerfile has ${recorded.length} instructions to record, the history ${steps.length} steps` };
  const vars = new Map<string, string | null | undefined>();
  const declared = new Set<string>();
  let shell = ['/bin/sh', '-c'];
  let stageIndex = -1;
  const lookup: Lookup = (n) => (vars.has(n) ? vars.get(n) : undefined);
  const pairs: { step: number; ins: Placed }[] = [];
  let textual = 0;
  for (let k = 0; k < recorded.length; k++) {
    const p = recorded[k]!;
    const j = base + k;
    const step = steps[j]!;
    if (p.stage.index !== stageIndex) {
      // ARGs are scoped to their stage; ENV goes on into a stage built FROM it.
      for (const a of declared) vars.delete(a);
      declared.clear();
      stageIndex = p.stage.index;
    }
    const fail = (why: string): DockerfileVerdict => ({ kind: 'mismatch', reason: `line ${p.ins.line}: ${why}`, line: p.ins.line, history: j });
    if (step.builder !== builder) return fail(`history step ${j} is not written by ${builder} like the steps after it`);
    if (step.keyword !== p.ins.keyword) return fail(`${p.ins.keyword} where history step ${j} records ${step.keyword || 'no instruction'}`);
    const r = matchStep(p.ins, step, { lookup, shell, escape: df.escape });
    if (!r.ok) return fail(`${p.ins.keyword} differs from history step ${j}`);
    if (r.textual) textual++;
    // What the instruction sets, for the instructions after it.
    switch (p.ins.keyword) {
      case 'ARG':
        for (const [name, def] of argPairs(p.ins, lookup, df.escape)) {
          declared.add(name);
          const recordedValue = builder === 'buildkit' || step.body.includes('=') ? keyValue(step.body, name) : undefined;
          const given = input.buildArgs?.[name];
          const fallback = def === undefined ? (ctx.globals.has(name) ? ctx.globals.get(name) : null) : wordText(def);
          vars.set(name, recordedValue ?? given ?? fallback);
        }
        break;
      case 'ENV':
        for (const [name, value] of envPairs(p.ins, lookup, df.escape)) {
          const recordedValue = builder === 'buildkit' ? keyValue(step.body, name) : undefined;
          vars.set(name, recordedValue ?? wordText(value));
        }
        break;
      case 'SHELL': {
        const json = jsonArray(p.ins.args);
        if (json) shell = json;
        break;
      }
      case 'RUN':
        // The `|N A=b` prefix holds the values the build really used.
        if (r.viaBody) for (const [name, value] of step.buildArgs) if (declared.has(name)) vars.set(name, value);
        break;
    }
    pairs.push({ step: j, ins: p });
  }
  const sources = buildSources(ctx, base, pairs, builder);
  return { kind: 'match', confidence: textual > 0 ? 'strong' : 'weak', builder, stage: stageRef(ctx.stage), matched: pairs.length, textual, sources };
}

/**
 * kaniko records a step only for an instruction that changed files, as written. The steps it
 * wrote are the last ones of the history; each must match an instruction, in order, and the
 * instructions between them are those that changed nothing.
 */
function alignKaniko(ctx: Ctx, placed: readonly Placed[]): DockerfileVerdict {
  const { steps } = ctx;
  let start = steps.length;
  while (start > 0 && steps[start - 1]!.builder === 'kaniko') start--;
  const pairs: { step: number; ins: Placed }[] = [];
  let i = placed.length - 1;
  for (let j = steps.length - 1; j >= start; j--) {
    const step = steps[j]!;
    let found = -1;
    for (let c = i; c >= 0; c--) {
      if (kanikoText(placed[c]!.ins) === normalizeSpace(`${step.keyword} ${step.body}`)) {
        found = c;
        break;
      }
    }
    if (found < 0) return { kind: 'mismatch', reason: `history step ${j} (kaniko) matches no instruction of the stage`, history: j };
    pairs.unshift({ step: j, ins: placed[found]! });
    i = found - 1;
  }
  const sources = buildSources(ctx, start, pairs, 'kaniko');
  return { kind: 'match', confidence: pairs.length > 0 ? 'strong' : 'weak', builder: 'kaniko', stage: stageRef(ctx.stage), matched: pairs.length, textual: pairs.length, sources };
}

function kanikoText(ins: DockerfileInstruction): string {
  return normalizeSpace(ins.logical.replace(/^\s*\S+/, ins.keyword));
}

type Env = { readonly lookup: Lookup; readonly shell: readonly string[]; readonly escape: string };

/** Whether a history step records this instruction; `textual` when its whole text agreed, `viaBody` when a RUN matched without guessing where its `|N` pairs end. */
function matchStep(ins: DockerfileInstruction, step: HistoryStep, env: Env): { ok: boolean; textual: boolean; viaBody?: boolean } {
  switch (ins.keyword) {
    case 'RUN': {
      const body = normalizeSpace(step.body);
      const prefixed = step.prefixed === undefined ? undefined : normalizeSpace(step.prefixed);
      for (const c of runCandidates(ins, env.shell).map(normalizeSpace)) {
        if (body === c) return { ok: true, textual: true, viaBody: true };
        if (prefixed !== undefined && prefixed.endsWith(` ${c}`)) return { ok: true, textual: true, viaBody: false };
      }
      return { ok: false, textual: false };
    }
    case 'COPY':
    case 'ADD': {
      if (step.hashedDest !== undefined) {
        // Classic builders hash the sources away: the destination, as written or expanded, is what is left.
        const dest = copyWords(ins, env).at(-1);
        const raw = ins.args.trim().split(/\s+/).at(-1);
        const ok = (dest !== undefined && matchesWords([dest], step.hashedDest)) || raw === step.hashedDest.trim();
        return { ok, textual: false };
      }
      const body = step.body.replace(/^(?:--\S+\s+)*/, '');
      const words = copyWords(ins, env);
      const ok = matchesWords(words, body) || normalizeSpace(ins.args) === normalizeSpace(body);
      return { ok, textual: ok };
    }
    case 'ENV':
      return { ok: keysInOrder([...envPairs(ins, env.lookup, env.escape)].map(([k]) => k), step.body), textual: false };
    case 'LABEL':
      return { ok: keysInOrder([...envPairs(ins, env.lookup, env.escape)].map(([k]) => k), step.body), textual: false };
    case 'ARG':
      return { ok: keysInOrder([...argPairs(ins, env.lookup, env.escape)].map(([k]) => k), step.body), textual: false };
    case 'USER':
    case 'STOPSIGNAL':
    case 'WORKDIR': {
      const value = expandWord(ins.args.trim(), env.lookup, env.escape);
      const text = step.body.trim();
      const known = wordText(value);
      // BuildKit and the legacy builder record a relative WORKDIR resolved against the one before.
      const ok = matchesWords([value], text) || ins.args.trim() === text || (ins.keyword === 'WORKDIR' && known !== undefined && !known.startsWith('/') && text.endsWith(`/${known}`));
      return { ok, textual: false };
    }
    default:
      // CMD, ENTRYPOINT, EXPOSE, VOLUME, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER: each builder
      // prints these its own way (`["a" "b"]`, `map[80/tcp:{}]`); the keyword is what is compared.
      return { ok: true, textual: false };
  }
}

/** What a builder may have recorded for a RUN, after the keyword and any `|N` prefix. */
function runCandidates(ins: DockerfileInstruction, shell: readonly string[]): string[] {
  const exec = jsonArray(ins.args);
  if (exec) return [exec.join(' '), `/bin/sh -c ${ins.args}`]; // BuildKit joins the words; buildah keeps the JSON
  const commands: string[] = [];
  if (ins.heredocs.length === 0) commands.push(ins.args);
  else {
    const only = /^<<-?(["']?)([A-Za-z0-9_]+)\1$/.exec(ins.args.trim());
    if (only && ins.heredocs.length === 1) {
      const body = ins.heredocs[0]!.body;
      commands.push(body); // BuildKit runs a lone heredoc's body as the command
      if (body.startsWith('#!')) commands.push(`/dev/pipes/${ins.heredocs[0]!.name}`); // …or, with a shebang, the file it makes of it
    }
    commands.push(`${ins.args}\n${ins.heredocText}`); // the command with its heredocs, handed to the shell
  }
  const prefixes = [...new Set([shell.join(' '), '/bin/sh -c'])];
  return commands.flatMap((c) => prefixes.map((p) => `${p} ${c}`));
}

/** A COPY's or ADD's sources and destination as words: JSON form or shell words, heredoc markers as BuildKit prints them (`<<EOF`). */
function copyWords(ins: DockerfileInstruction, env: Env): Word[] {
  const json = jsonArray(ins.args);
  const words = json ? json.map((w) => expandWord(w, env.lookup, env.escape)) : expandWords(ins.args, env.lookup, env.escape);
  return words.map((w) => (w.length === 1 && typeof w[0] === 'string' ? [w[0].replace(/^<<-/, '<<')] : w));
}

/** `A=b C="d e"` (or the legacy `A b c`) of an ENV or LABEL: names and processed values. */
function* envPairs(ins: DockerfileInstruction, lookup: Lookup, escape: string): Generator<[string, Word]> {
  const words = expandWords(ins.args, lookup, escape);
  const first = words[0];
  const head = first?.[0];
  if (first && typeof head === 'string' && !head.includes('=')) {
    // Legacy form: the first word is the name, the rest of the line its value.
    const rest = ins.args.trim().replace(/^\S+\s*/, '');
    yield [wordText(first) ?? head, expandWord(rest, lookup, escape)];
    return;
  }
  for (const w of words) {
    const [name, value] = splitAssignment(w);
    if (name !== undefined) yield [name, value ?? []];
  }
}

/** The names of an ARG and their defaults (`undefined` when the ARG has none). */
function* argPairs(ins: DockerfileInstruction, lookup: Lookup, escape: string): Generator<[string, Word | undefined]> {
  for (const w of expandWords(ins.args, lookup, escape)) {
    const [name, value] = splitAssignment(w);
    if (name !== undefined) yield [name, value];
  }
}

function splitAssignment(w: Word): [string | undefined, Word | undefined] {
  const head = w[0];
  if (typeof head !== 'string') return [undefined, undefined];
  const eq = head.indexOf('=');
  if (eq < 0) return w.length === 1 ? [head, undefined] : [undefined, undefined];
  const value: Word = [head.slice(eq + 1), ...w.slice(1)].filter((p) => p !== '');
  return [head.slice(0, eq), value];
}

/** True when the names appear in `text` in this order, each as a word followed by `=`, a space or the end (quotes allowed). */
function keysInOrder(names: readonly string[], text: string): boolean {
  let at = 0;
  for (const n of names) {
    const re = new RegExp(`(?:^|\\s)"?${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(?==|\\s|$)`, 'g');
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return false;
    at = m.index + m[0].length;
  }
  return true;
}

/** The value recorded for `name` in `A=1 B=two words` (up to the next `NAME=`), or undefined. */
function keyValue(text: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\s)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=`);
  const m = re.exec(text);
  if (!m) return undefined;
  const rest = text.slice(m.index + m[0].length);
  const next = / (?=[A-Za-z_][A-Za-z0-9_.-]*=)/.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

function jsonArray(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

function stageRef(s: DockerfileStage): StageRef {
  return s.name === undefined ? { index: s.index } : { index: s.index, name: s.name };
}

function refOf(file: string, p: Placed): InstructionRef {
  const location: SourceLocation = { file, line: p.ins.line, endLine: p.ins.endLine };
  return { location, keyword: p.ins.keyword, instruction: normalizeSpace(p.ins.logical), stage: stageRef(p.stage) };
}

const WRITERS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

/**
 * Per layer, the instructions that wrote it. A classic builder without `--layers` (buildah's
 * default) commits a stage as one layer: the steps before it are marked empty although their
 * RUN, COPY or ADD wrote files, and the layer's own step may be a CMD. BuildKit marks a step
 * empty only when it changed nothing, so its empty steps wrote nothing.
 */
function buildSources(ctx: Ctx, base: number, pairs: readonly { step: number; ins: Placed }[], builder: Builder): ImageSources {
  const file = ctx.input.file;
  const byStep = new Map(pairs.map((p) => [p.step, p.ins]));
  const steps: (InstructionRef | null)[] = ctx.history.map((_, j) => {
    const p = byStep.get(j);
    return p ? refOf(file, p) : null;
  });
  const layers: LayerSource[] = [];
  let pending: InstructionRef[] = [];
  ctx.history.forEach((h, j) => {
    const ref = steps[j] ?? null;
    if (h.emptyLayer) {
      // (A squashed WORKDIR adds at most its directory; the RUN, COPY or ADD beside it is the line to change.)
      if (builder === 'classic' && ref && WRITERS.has(ref.keyword) && ref.keyword !== 'WORKDIR') pending.push(ref);
      return;
    }
    const layer = layers.length;
    if (j < base || !ref) {
      layers.push({ layer, history: j, base: j < base, source: null, instruction: null, stage: null, makers: [] });
      return;
    }
    const makers = pending.length === 0 ? [ref] : WRITERS.has(ref.keyword) ? [...pending, ref] : pending;
    pending = [];
    const one = makers.length === 1 ? makers[0]! : undefined;
    layers.push({ layer, history: j, base: false, source: one?.location ?? null, instruction: one?.instruction ?? null, stage: one?.stage ?? null, makers });
  });
  const from: SourceLocation = { file, line: ctx.stage.from.line, endLine: ctx.stage.from.endLine };
  return { via: 'dockerfile', file, from, layers, steps };
}
