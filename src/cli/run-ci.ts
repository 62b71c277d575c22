import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { evaluateRules, type RuleSettings } from '../core/rules/rules.js';
import type { AnalysisSummary } from '../core/analyze.js';
import { createCaches, defaultCacheDir } from '../cache/index.js';
import { formatBytes } from '../format/bytes.js';
import { loadSummary } from '../load/index.js';
import { parseReference, type ImageReference } from '../reference/reference.js';
import { formatCiReport } from '../report/ci-report.js';
import { toDiveExport, toExportV1 } from '../report/json-export.js';
import { UsageError } from '../errors/index.js';
import { parseCiConfig, resolveRules, type Options } from './args.js';
import { createSourceSettings } from './settings.js';

/** The process pieces the headless mode uses, injected so tests can run it in-process. */
export type CiIo = {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin?: Readable;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly password?: string;
};

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands globs in image arguments with fast-glob: a bare pattern, or the path part of a
 * file transport (`docker-archive:dist/*.tar`). An existing path is never treated as a glob.
 */
export async function expandImages(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const m = /^(docker-archive:|oci-archive:|oci:)?(.*)$/.exec(arg)!;
    const prefix = m[1] ?? '';
    const p = m[2]!;
    if (!GLOB_CHARS.test(p) || existsSync(path.resolve(cwd, p)) || (prefix === '' && /^[a-z0-9.-]+:\/\//.test(arg))) {
      out.push(arg);
      continue;
    }
    const { default: fg } = await import('fast-glob');
    const hits = await fg(p, { cwd, onlyFiles: prefix !== 'oci:', onlyDirectories: prefix === 'oci:', dot: false });
    if (hits.length === 0) throw new UsageError(`${arg}: no files match`);
    for (const h of hits.sort()) out.push(`${prefix}${h}`);
  }
  return out;
}

async function loadRules(opts: Options, io: CiIo): Promise<RuleSettings> {
  let fromFile = {};
  const file = opts.ciConfig ?? '.dive-ci';
  const full = path.resolve(io.cwd, file);
  if (existsSync(full)) fromFile = parseCiConfig(await readFile(full, 'utf8'), file);
  else if (opts.ciConfig !== undefined) throw new UsageError(`${opts.ciConfig}: no such file`);
  return resolveRules(fromFile, opts.ruleOverrides);
}

/** Opens, reads and analyzes one image (or finds its figures in the cache), printing quiet progress lines for remote sources. */
export async function analyzeReference(ref: ImageReference, opts: Options, io: CiIo): Promise<AnalysisSummary> {
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${line}\n`);
  };
  // Progress lines only where reading takes a while and the source is worth naming: a
  // registry or a daemon. Local files stay silent so errors stay one line.
  const mayBeRemote = ref.transport === 'docker' || ref.transport === 'docker-daemon' || (ref.transport === 'bare' && !existsSync(path.resolve(io.cwd, ref.value)));
  const settings = createSourceSettings(opts, io.env, io.stdin, io.password, { onStage: mayBeRemote ? say : undefined });
  let remote = false;
  let layerCount = 0;
  return loadSummary(ref, {
    settings,
    caches: opts.noCache ? undefined : createCaches(defaultCacheDir(io.env)),
    onEvent: (e) => {
      if (e.type === 'opened') {
        remote = e.identity.source === 'docker' || e.identity.source === 'docker-daemon';
        layerCount = e.layerCount;
      } else if (e.type === 'layer-read' && remote) {
        const d = e.descriptor;
        say(`layer ${e.layer + 1}/${layerCount} ${d.digest ?? d.diffId ?? ''} ${formatBytes(e.bytes)} read`);
      }
    },
  });
}

/**
 * Headless mode: for each image, analyze, evaluate the rules, print dive's report (stdout, or
 * stderr when the JSON goes to stdout), and write the JSON export if asked.
 *
 * @returns the exit code: 0 all passed, 1 a rule failed. Errors reading an image propagate
 * (main maps them to 2) — with several images, after the others were reported.
 */
export async function runCi(opts: Options, io: CiIo): Promise<number> {
  const rules = opts.ci ? await loadRules(opts, io) : undefined;
  const images = await expandImages(opts.images, io.cwd);
  const human = opts.json === '-' ? io.stderr : io.stdout;
  const exports: unknown[] = [];
  let failed = false;
  let firstError: unknown;
  for (const arg of images) {
    try {
      const ref = parseReference(arg, (p) => existsSync(path.resolve(io.cwd, p)));
      const a = await analyzeReference(ref, opts, io);
      const results = rules ? evaluateRules(a, rules) : undefined;
      if (results) {
        if (images.length > 1) human.write('\n');
        human.write(formatCiReport(a, results));
        if (results.some((r) => r.status === 'fail')) failed = true;
      }
      exports.push(opts.jsonFormat === 'dive' ? toDiveExport(a) : toExportV1(a, results));
    } catch (e) {
      if (images.length === 1) throw e;
      firstError ??= e;
      io.stderr.write(`inspect-tui: ${(e as Error).message}\n`);
    }
  }
  if (opts.json !== undefined && exports.length > 0) {
    const text = `${JSON.stringify(exports.length === 1 && images.length === 1 ? exports[0] : exports, null, 2)}\n`;
    if (opts.json === '-') io.stdout.write(text);
    else {
      await writeFile(path.resolve(io.cwd, opts.json), text).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`--json ${opts.json}: cannot write the file (${e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' ? 'permission denied' : e.message})`, { cause: e });
      });
    }
  }
  if (firstError) throw firstError;
  return failed ? 1 : 0;
}
