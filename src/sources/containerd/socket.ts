import { readFileSync, statSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { SourceError, UsageError, errnoCode } from '../../errors/index.js';

/** Where containerd listens by default (its `[grpc] address`). */
export const DEFAULT_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/** A unix socket containerd may listen on, and why it is a candidate. */
export type ContainerdSocket = {
  readonly path: string;
  /** `CONTAINERD_ADDRESS`, `default`, or `rootless` (`$XDG_RUNTIME_DIR/containerd/containerd.sock`). */
  readonly origin: 'CONTAINERD_ADDRESS' | 'default' | 'rootless';
};

/** What a socket path is on disk: absent, refused to us, something else, or a socket we may use. */
export type SocketState =
  | { readonly kind: 'socket' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-socket' }
  | { readonly kind: 'denied'; readonly gid?: number; readonly mode?: number; readonly dirDenied: boolean };

/** Reads the file system for socket selection (injected in tests). */
export type SocketFs = {
  stat(p: string): SocketState;
  /** The name of a group id (from /etc/group), when known. */
  groupName(gid: number): string | undefined;
};

/** The real file system: stat, then an access check for read and write (what connect needs). */
export const realSocketFs: SocketFs = {
  stat(p) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', dirDenied: true };
      return { kind: 'missing' };
    }
    if (!st.isSocket()) return { kind: 'not-socket' };
    try {
      accessSync(p, constants.R_OK | constants.W_OK);
    } catch {
      return { kind: 'denied', gid: st.gid, mode: st.mode & 0o777, dirDenied: false };
    }
    return { kind: 'socket' };
  },
  groupName(gid) {
    try {
      for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && Number(id) === gid) return name;
      }
    } catch {
      // No /etc/group: the number has to do.
    }
    return undefined;
  },
};

/**
 * The sockets to try, in order: `CONTAINERD_ADDRESS` alone when set (a path or `unix://PATH`),
 * else containerd's default socket, then the rootless one under `XDG_RUNTIME_DIR` (where
 * `containerd-rootless-setuptool.sh` puts it). Throws UsageError for an address that is no
 * unix socket (containerd's TCP listener needs TLS client setup this tool does not do).
 */
export function containerdSocketCandidates(env: Readonly<Record<string, string | undefined>>): ContainerdSocket[] {
  const given = env.CONTAINERD_ADDRESS;
  if (given !== undefined && given !== '') {
    let p = given;
    if (p.startsWith('unix://')) p = p.slice('unix://'.length);
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
      throw new UsageError(`CONTAINERD_ADDRESS "${given.slice(0, 200)}" is not a unix socket (give a path or unix:///path)`, {
        subject: 'CONTAINERD_ADDRESS',
        reason: 'not a unix socket',
      });
    }
    return [{ path: path.resolve(p), origin: 'CONTAINERD_ADDRESS' }];
  }
  const out: ContainerdSocket[] = [{ path: DEFAULT_CONTAINERD_SOCKET, origin: 'default' }];
  if (env.XDG_RUNTIME_DIR) out.push({ path: path.join(env.XDG_RUNTIME_DIR, 'containerd', 'containerd.sock'), origin: 'rootless' });
  return out;
}

/** `unix:///run/containerd/containerd.sock`: how messages and gRPC name a socket. */
export function socketUrl(s: ContainerdSocket): string {
  return `unix://${s.path}`;
}

function show(s: ContainerdSocket): string {
  return s.origin === 'CONTAINERD_ADDRESS' ? `${socketUrl(s)} (CONTAINERD_ADDRESS)` : socketUrl(s);
}

/**
 * Why containerd's socket could not be used: `where` and `why` are the short parts the bare-name
 * resolver quotes ("not in containerd at X (no such image)").
 */
export class ContainerdLookupError extends SourceError {
  readonly where: string;
  readonly why: string;
  constructor(kind: SourceError['kind'], subject: string, reason: string, where: string, why: string, options?: { cause?: unknown }) {
    super(kind, subject, reason, options);
    this.name = 'ContainerdLookupError';
    this.where = where;
    this.why = why;
  }
}

/** The advice for a socket the user may not open: which group, or sudo. */
function permissionAdvice(s: ContainerdSocket, state: Extract<SocketState, { kind: 'denied' }>, fs: SocketFs): string {
  if (state.dirDenied) return `its directory is not open to you; run with sudo`;
  const gid = state.gid;
  const groupRw = state.mode !== undefined && (state.mode & 0o060) === 0o060;
  if (gid !== undefined && gid !== 0 && groupRw) {
    const name = fs.groupName(gid) ?? `gid ${gid}`;
    return `it is open to the group ${name}: add your user to it (then log in again), or run with sudo`;
  }
  return `only root may use it: run with sudo, or set a group you are in as [grpc] gid in containerd's config`;
}

/**
 * Picks the socket to dial: the first candidate that exists (see `containerdSocketCandidates`).
 * Throws ContainerdLookupError: daemon-unavailable when there is none (naming each path tried),
 * permission-denied when the socket exists but is not open to this user (naming the group to
 * join, or sudo).
 */
export function selectContainerdSocket(env: Readonly<Record<string, string | undefined>>, label: string, fs: SocketFs = realSocketFs): ContainerdSocket {
  const candidates = containerdSocketCandidates(env);
  const tried: string[] = [];
  for (const c of candidates) {
    const state = fs.stat(c.path);
    if (state.kind === 'socket') return c;
    if (state.kind === 'denied') {
      const why = `permission denied on ${socketUrl(c)}`;
      throw new ContainerdLookupError('permission-denied', label, `${why}: ${permissionAdvice(c, state, fs)}`, `containerd at ${socketUrl(c)}`, why);
    }
    tried.push(`${show(c)}: ${state.kind === 'missing' ? 'no such socket' : 'not a socket'}`);
  }
  const hint = candidates[0]?.origin === 'CONTAINERD_ADDRESS' ? 'start containerd there, or unset CONTAINERD_ADDRESS' : 'start containerd, or set CONTAINERD_ADDRESS to its socket';
  const why = `no containerd socket (tried ${tried.join('; ')})`;
  throw new ContainerdLookupError('daemon-unavailable', label, `${why}; ${hint}`, 'containerd', why);
}
