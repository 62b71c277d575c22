import { existsSync } from 'node:fs';
import path from 'node:path';

/** The default rules file, looked for in the working directory. */
export const RULES_FILE = '.dive-ci';

/** `exists` for parsing image arguments against a working directory. */
export const existsIn = (cwd: string) => (p: string) => existsSync(path.resolve(cwd, p));
