import { SourceError } from '../../errors/index.js';

/**
 * Guards for JSON read from images, registries, daemons and credential files: the one place
 * that says what "an object", "a string" or "a list of strings" is. Validate at the boundary
 * with these, then trust the types.
 */

/** A plain JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value when it is a string. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The string members of an array; undefined when it is no array. */
export const strArr = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** Parses JSON from a metadata member, naming the file and member when it is invalid. */
export function parseJson(data: Buffer, where: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new SourceError('corrupt', where, `not valid JSON (${(e as Error).message})`, { cause: e });
  }
}
