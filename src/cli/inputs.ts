import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileOf, parseReference } from '../reference/index.js';
import { DOCKERFILE_NAMES } from '../provenance/index.js';
import type { ImageOptions } from './args.js';
import type { InputFile } from './output-file.js';

/** The default rules file, looked for in the working directory. */
export const RULES_FILE = '.dive-ci';

/** `exists` for parsing image arguments against a working directory. */
export const existsIn = (cwd: string) => (p: string) => existsSync(path.resolve(cwd, p));

/**
 * The files and directories image arguments read: each file transport's path and each bare
 * argument that exists (stdin, daemons and registries are no files). An argument that does not
 * parse reads nothing; it is reported when it is opened.
 */
export function imageInputs(args: readonly string[], cwd: string, label: (arg: string, i: number) => string = (a) => `the image ${a}`): InputFile[] {
  const out: InputFile[] = [];
  args.forEach((arg, i) => {
    let file: string | undefined;
    try {
      file = fileOf(parseReference(arg, existsIn(cwd)), existsIn(cwd));
    } catch {
      return;
    }
    if (file !== undefined) out.push({ path: file, what: label(arg, i) });
  });
  return out;
}

/** The configuration files options name or imply: the rules file, the key bindings, the CA certificates. */
export function configInputs(opts: ImageOptions): InputFile[] {
  const rules = opts.ciConfig ?? RULES_FILE;
  return [
    { path: rules, what: `the rules file ${rules}` },
    ...(opts.config !== undefined ? [{ path: opts.config, what: `the key bindings file ${opts.config}` }] : []),
    ...opts.caCerts.map((c) => ({ path: c, what: `the CA certificate ${c}` })),
  ];
}

/** The Dockerfiles a run may read: the one `--dockerfile` names, else the default names in the working directory. */
export function dockerfileInputs(given: string | undefined): InputFile[] {
  return (given !== undefined ? [given] : DOCKERFILE_NAMES).map((f) => ({ path: f, what: `the Dockerfile ${f}` }));
}
