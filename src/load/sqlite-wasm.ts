import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { SQLITE_WASM_MODULE } from '../packages/index.js';

/**
 * Where the SQLite engine's wasm (for rpm's `rpmdb.sqlite`) is found: the one place. Installed,
 * it is `sql.js/dist/sql-wasm.wasm` resolved from this module; a bundled program copies the file
 * next to its bundle and redirects this function (and nothing else) there.
 */
export function sqliteWasmPath(): string {
  return createRequire(import.meta.url).resolve(SQLITE_WASM_MODULE);
}

/** The wasm's bytes, read only when an image holds an rpm database (`readPackages` asks). */
export function readSqliteWasm(): Promise<Uint8Array> {
  return readFile(sqliteWasmPath());
}
