import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readTarStream } from '../../src/archive/parse-stream.js';
import { indexImage, type ImageIndex } from '../../src/core/index.js';
import { planPackageReads, readPackages, SQLITE_WASM_MODULE, type ImagePackages, type PackageRef } from '../../src/packages/index.js';
import type { BuiltLayer } from './layer-trees.js';

/** The bytes of sql.js's wasm, read the way a caller of `readPackages` resolves it next to the module. */
export const sqliteWasm = async (): Promise<Uint8Array> => readFileSync(createRequire(import.meta.url).resolve(SQLITE_WASM_MODULE));

/** Indexes committed layers with the real tar reader and core, as the loader does. */
export async function indexLayers(layers: readonly BuiltLayer[]): Promise<ImageIndex> {
  const read = await Promise.all(layers.map((l, i) => readTarStream(Readable.from([l.tar]), `layer ${i}`)));
  return indexImage({
    identity: { reference: 'test:packages', source: 'test' },
    config: { diffIds: [], history: layers.map((l) => ({ createdBy: `/bin/sh -c ${l.command}`, emptyLayer: false })), config: {} },
    layers: read.map((r) => ({ descriptor: {}, entries: r.entries })),
  });
}

/**
 * Reads the packages of committed layers through the package reader's contract: the plan names
 * the bodies, taken here from each layer's files by path (the loader reads them from the tar).
 */
export async function packagesOf(layers: readonly BuiltLayer[], opts: { sqlite?: boolean } = {}): Promise<{ index: ImageIndex; result: ImagePackages; read: number }> {
  const index = await indexLayers(layers);
  const plan = planPackageReads(index);
  const bodies = new Map<number, Uint8Array>();
  for (const r of plan.requests) {
    const b = layers[r.layer]!.bodies.get(r.path);
    if (b) bodies.set(r.entry, b);
  }
  const result = await readPackages({ plan, bodies, sqliteWasm: opts.sqlite === false ? undefined : sqliteWasm });
  return { index, result, read: plan.requests.length };
}

/** `manager name version [path]` lines, for comparing package lists in one assertion. */
export function refLines(refs: readonly PackageRef[]): string[] {
  return refs.map((r) => `${r.manager} ${r.name} ${r.version}${r.path === null ? '' : ` ${r.path}`}`);
}

/** The owner of a path at a layer, as `manager name version`, or undefined. */
export function ownerLine(index: ImageIndex, result: ImagePackages, layer: number, path: string): string | undefined {
  const id = index.paths.find(path);
  if (id === undefined) throw new Error(`no layer has ${path}`);
  const o = result.ownerAt(layer, id);
  return o && `${o.manager} ${o.name} ${o.version}`;
}

/** True when a command runs (exit status 0) with the arguments given. */
export function hasTool(cmd: string, args: string[] = ['--version']): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** Runs a command, returning its standard output; its standard error goes with the error when it fails. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** `run` without blocking the test worker: for commands that take long (the test runner must keep talking to its worker). */
export function runAsync(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** Bytes and regular files under a package directory, outside nested node_modules, each inode once. */
export function onDisk(dir: string): { files: number; sizeBytes: number } {
  const seen = new Set<number>();
  let files = 0;
  let sizeBytes = 0;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        if (n !== 'node_modules') walk(p);
      } else if (st.isFile()) {
        files++;
        if (!seen.has(st.ino)) {
          seen.add(st.ino);
          sizeBytes += st.size;
        }
      }
    }
  };
  walk(dir);
  return { files, sizeBytes };
}
