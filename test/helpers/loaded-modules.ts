import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tmpDir } from './image-files.js';

/**
 * A Node.js option that records every module the process loads: a module loader hook
 * (`module.register`) appends each URL it loads to `log`. Returns the `--import` option and a
 * function that reads the URLs so far.
 */
export function moduleLog(): { readonly option: string; readonly urls: () => string[] } {
  const dir = tmpDir('inspect-tui-modules-');
  const log = path.join(dir, 'loaded.txt');
  writeFileSync(log, '');
  const hooks = path.join(dir, 'hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
  const register = path.join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return { option: `--import=${pathToFileURL(register).href}`, urls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** Runs `node ARGS` with the module log; returns its exit code, output and the URLs it loaded. */
export function runLogged(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const m = moduleLog();
  const r = spawnSync(process.execPath, [m.option, ...args], { cwd: opts.cwd, env: { ...process.env, CI: 'true', ...opts.env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, urls: m.urls() };
}
