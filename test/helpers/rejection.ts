import { SourceError } from '../../src/errors/index.js';

/** Awaits a promise that must reject with a SourceError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error('expected a SourceError, but it resolved');
}
