import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SQLITE_WASM_MODULE } from '../packages/index.js';

/** Set by the bundler (scripts/build.mjs): 'npm' for the package's bundle, 'sea' for the single executable; undeclared when unbundled. */
declare const INSPECT_TUI_BUNDLE: 'npm' | 'sea' | undefined;
const BUNDLE = typeof INSPECT_TUI_BUNDLE === 'undefined' ? undefined : INSPECT_TUI_BUNDLE;

/** The name a bundle gives its copy of the wasm: a file beside the package's bundle, an asset of the single executable. */
export const SQLITE_WASM_FILE = 'sql-wasm.wasm';

/**
 * Where the SQLite engine's wasm (for rpm's `rpmdb.sqlite`) is found: the one place. Unbundled,
 * it is `sql.js/dist/sql-wasm.wasm` resolved from this module; the package's bundle carries a
 * copy beside its files (`dist/`, one folder for every chunk); the single executable has no file
 * (undefined): it carries the bytes as an asset.
 */
export function sqliteWasmPath(): string | undefined {
  if (BUNDLE === 'sea') return undefined;
  if (BUNDLE === 'npm') return fileURLToPath(new URL(`./${SQLITE_WASM_FILE}`, import.meta.url));
  return createRequire(import.meta.url).resolve(SQLITE_WASM_MODULE);
}

/** The wasm's bytes, read only when an image holds an rpm database (`readPackages` asks). */
export async function readSqliteWasm(): Promise<Uint8Array> {
  if (BUNDLE === 'sea') return new Uint8Array(process.getBuiltinModule('node:sea').getAsset(SQLITE_WASM_FILE));
  return readFile(sqliteWasmPath()!);
}
