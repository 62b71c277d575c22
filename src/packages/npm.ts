import { PACKAGE_LIMITS } from './model.js';
import { decodeText, isPlainField } from './text.js';

/**
 * Reader for an installed npm package's `package.json`: the directory is a package when the
 * file is a JSON object with a string `name` and a string `version` (what npm itself needs to
 * list it). Returns `invalid` for a file that is not JSON at all, so the caller can say so;
 * valid JSON without both fields is simply not a package.
 */
export function parsePackageJson(bytes: Uint8Array): { name: string; version: string } | undefined | 'invalid' {
  let doc: unknown;
  try {
    // The body is capped (PACKAGE_LIMITS), and V8's JSON parser does not recurse on nesting.
    doc = JSON.parse(decodeText(bytes));
  } catch {
    return 'invalid';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const { name, version } = doc as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') return undefined;
  if (!isPlainField(name, PACKAGE_LIMITS.nameLength) || !isPlainField(version, PACKAGE_LIMITS.versionLength)) return undefined;
  return { name, version };
}
