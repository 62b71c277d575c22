/**
 * The error catalogue, below every other folder: what can go wrong that a user can act on, as
 * data. Each error names its subject (the file, reference or flag) and the reason; the CLI prints
 * `message` (one line) and, with `--debug`, the cause chain. Nobody parses a message: callers
 * match on `kind` and read `subject` and `reason`.
 */

/**
 * Why an image could not be read. One meaning per kind:
 * - `not-found`: the file, image, tag, blob or name does not exist where it was looked up.
 * - `permission-denied`: it exists, but the operating system or the daemon refused access.
 * - `platform-mismatch`: the image exists, but not for the platform asked for (or none fits the host).
 * - `unsupported-format`: readable, but not a format this tool reads (or a deprecated one).
 * - `corrupt`: claims to be a supported format but is malformed or truncated.
 * - `digest-mismatch`: bytes that contradict the digest or size the image claims for them.
 * - `limit-exceeded`: metadata larger than the cap for its kind.
 * - `daemon-unavailable`: no Docker or Podman daemon answers.
 * - `auth-required`: the registry wants credentials, or refused the ones given.
 * - `network`: the connection failed after retries.
 */
export type SourceErrorKind =
  | 'not-found'
  | 'permission-denied'
  | 'platform-mismatch'
  | 'unsupported-format'
  | 'corrupt'
  | 'digest-mismatch'
  | 'limit-exceeded'
  | 'daemon-unavailable'
  | 'auth-required'
  | 'network';

/** An image (or part of one) could not be read. `message` is `subject: reason`. */
export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  /** What the error is about, as the user named it: a path, a reference, `stdin`, a blob label. */
  readonly subject: string;
  /** What is wrong with it, one clause without the subject. */
  readonly reason: string;
  constructor(kind: SourceErrorKind, subject: string, reason: string, options?: { cause?: unknown }) {
    super(subject === '' ? reason : `${subject}: ${reason}`, options);
    this.name = 'SourceError';
    this.kind = kind;
    this.subject = subject;
    this.reason = reason;
  }
}

/**
 * Wrong flags, arguments or configuration. `subject` is the flag, argument or file when there is
 * one and `reason` what is wrong with it; a message given alone is its own reason.
 */
export class UsageError extends Error {
  readonly subject?: string;
  readonly reason: string;
  constructor(message: string, options?: { cause?: unknown; subject?: string; reason?: string }) {
    super(message, options);
    this.name = 'UsageError';
    this.subject = options?.subject;
    this.reason = options?.reason ?? message;
  }
}

/** A broken invariant inside the tool: a bug, reported with its stack. */
export class BugError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BugError';
  }
}

/** The OS error code of a Node.js system error (`ENOENT`, `EACCES`…), if it is one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The kind a failed file-system call maps to: a missing path, a refused one, or anything else. */
export function kindOfFsError(e: unknown): SourceErrorKind {
  const code = errnoCode(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'not-found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission-denied';
  return 'corrupt';
}
