/**
 * Errors a user can act on. Each carries a `kind` and a one-sentence message that names the
 * file or reference and what is wrong; the CLI prints the message (and the cause chain only
 * with `--debug`) and exits 2.
 */
export type SourceErrorKind =
  | 'not-found'
  | 'unsupported-format'
  | 'corrupt'
  | 'limit-exceeded'
  | 'daemon-unavailable'
  | 'auth-required'
  | 'network'
  | 'digest-mismatch';

export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  constructor(kind: SourceErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.kind = kind;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export { BugError } from '../core/bug-error.js';
