import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { Client, Metadata, credentials, status as grpcStatus, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { fromJSON, loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { BugError, SourceError } from '../../errors/index.js';
import { sanitize } from '../../format/index.js';
import { isObj, str } from '../oci/json.js';
import type { Descriptor } from '../oci/manifest.js';
import { VerifiedBlob } from '../registry/blob.js';
import { socketUrl, type ContainerdSocket } from './socket.js';

/** Set by the bundler (scripts/build.mjs): 'npm' for the package's bundle, 'sea' for the single executable; undeclared when unbundled. */
declare const INSPECT_TUI_BUNDLE: 'npm' | 'sea' | undefined;
const BUNDLE = typeof INSPECT_TUI_BUNDLE === 'undefined' ? undefined : INSPECT_TUI_BUNDLE;

/**
 * The `.proto` files vendored from containerd's `api/` folder (see `proto/README.md`): three
 * levels up from this module unbundled (`src/sources/containerd/`, tsc's
 * `build/sources/containerd/`), in `proto/` beside the package's bundle (`dist/`).
 */
const protoDir = () => fileURLToPath(new URL(BUNDLE === 'npm' ? './proto/' : '../../../proto/', import.meta.url));
/**
 * The single executable carries the same files compiled into one protobuf.js JSON descriptor,
 * an asset of this name (scripts/build-sea.mjs writes it from `PROTO_FILES` with `PROTO_OPTIONS`).
 */
export const PROTO_JSON_ASSET = 'containerd-api.json';
const API = 'github.com/containerd/containerd/api';
/** The files loaded (their imports follow from them). */
export const PROTO_FILES = [
  `${API}/services/images/v1/images.proto`,
  `${API}/services/content/v1/content.proto`,
  `${API}/services/namespaces/v1/namespace.proto`,
  `${API}/services/version/v1/version.proto`,
];

/** The metadata key containerd reads the namespace of a request from (`namespaces.GRPCHeader`). */
export const NAMESPACE_HEADER = 'containerd-namespace';

/** How long the first call may take before containerd counts as not answering. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long any other unary call may take. */
const CALL_TIMEOUT_MS = 60_000;
/**
 * Largest message accepted: containerd's own send limit (`[grpc] max_send_message_size`,
 * 16 MiB), which an image list of a busy node stays far below.
 */
const MAX_MESSAGE = 16 << 20;

/** How the protos are read: camelCase fields, 64-bit integers as numbers, enums by name, defaults filled in. */
export const PROTO_OPTIONS = { keepCase: false, longs: Number, enums: String, defaults: true } as const;

let packageDefinition: PackageDefinition | undefined;
function definitions(): PackageDefinition {
  packageDefinition ??=
    BUNDLE === 'sea'
      ? fromJSON(JSON.parse(process.getBuiltinModule('node:sea').getAsset(PROTO_JSON_ASSET, 'utf8')) as Parameters<typeof fromJSON>[0], PROTO_OPTIONS)
      : loadSync(PROTO_FILES, { includeDirs: [protoDir()], ...PROTO_OPTIONS });
  return packageDefinition;
}

function method(service: string, name: string): MethodDefinition<object, unknown> {
  const svc = definitions()[service] as Record<string, MethodDefinition<object, unknown>> | undefined;
  const m = svc?.[name];
  if (!m) throw new BugError(`the vendored protos define no ${service}.${name}`);
  return m;
}

/** An image record: its name and the descriptor it points at (an index or a manifest). */
export type ContainerdImage = { readonly name: string; readonly target: Descriptor };

/** A gRPC failure, by status code name, with containerd's text made safe to print. */
function statusName(code: number): string {
  return (grpcStatus as unknown as Record<number, string>)[code] ?? `status ${code}`;
}

function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'number';
}

/** containerd's `details` (server text, hostile as far as printing goes), one line, bounded. */
export function detailsOf(e: ServiceError): string {
  return sanitize(String(e.details ?? e.message)).slice(0, 300);
}

function toDescriptor(v: unknown): Descriptor | undefined {
  if (!isObj(v)) return undefined;
  const digest = str(v.digest);
  if (!digest) return undefined;
  const annotations = isObj(v.annotations) ? (Object.fromEntries(Object.entries(v.annotations).filter(([, x]) => typeof x === 'string')) as Record<string, string>) : undefined;
  return {
    mediaType: str(v.mediaType) || undefined,
    digest,
    size: typeof v.size === 'number' ? v.size : 0,
    annotations: annotations && Object.keys(annotations).length > 0 ? annotations : undefined,
  };
}

function toImage(v: unknown): ContainerdImage | undefined {
  if (!isObj(v)) return undefined;
  const name = str(v.name);
  const target = toDescriptor(v.target);
  return name && target ? { name, target } : undefined;
}

/**
 * A client of containerd's gRPC API on one unix socket, for one namespace: the Images, Content,
 * Namespaces and Version services, over one channel. Calls carry the namespace in the
 * `containerd-namespace` header, and are cancelled by `close` (or the signal given).
 *
 * Every method throws SourceError naming `label` when the call fails for another reason than
 * the one it reports as a value (a missing image or blob is `undefined`): daemon-unavailable
 * (nothing answers, a deadline passed, an unexpected status), permission-denied,
 * limit-exceeded (an answer larger than 16 MiB).
 */
export class ContainerdClient {
  readonly url: string;
  private readonly client: Client;
  private readonly metadata: Metadata;
  private readonly active = new Set<{ cancel(): void }>();
  private closed = false;
  private readonly onAbort = () => this.close();

  constructor(
    readonly socket: ContainerdSocket,
    readonly namespace: string,
    private readonly label: string,
    private readonly signal?: AbortSignal,
  ) {
    this.url = socketUrl(socket);
    this.client = new Client(`unix://${socket.path}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': 1 << 20,
      // One connection attempt per call; a socket that refuses is an answer, not something to wait out.
      'grpc.enable_retries': 0,
      // HTTP/2's default 64 KiB window makes a 1 MiB content message wait for many window
      // updates; on a local socket a larger window lets containerd send ahead.
      'grpc-node.flow_control_window': 8 << 20,
    });
    this.metadata = new Metadata();
    this.metadata.set(NAMESPACE_HEADER, namespace);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Closes the channel; calls still running fail with CANCELLED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const c of this.active) c.cancel();
    this.client.close();
  }

  /** The SourceError a failed call maps to. */
  failure(e: unknown, doing: string): SourceError {
    if (this.signal?.aborted) return new SourceError('network', this.label, `stopped while ${doing}`, { cause: e });
    if (!isServiceError(e)) return new SourceError('daemon-unavailable', this.label, `containerd at ${this.url} failed while ${doing} (${sanitize(String((e as Error)?.message ?? e)).slice(0, 300)})`, { cause: e });
    const details = detailsOf(e);
    switch (e.code) {
      case grpcStatus.UNAVAILABLE: {
        // grpc-js puts the socket's errno in the text: "connect ECONNREFUSED /run/…".
        const errno = /\b(E[A-Z]{3,})\b/.exec(details)?.[1];
        if (errno === 'EACCES' || errno === 'EPERM') {
          return new SourceError('permission-denied', this.label, `permission denied on ${this.url}; run with sudo, or join the group that owns the socket`, { cause: e });
        }
        const why = errno === 'ECONNREFUSED' ? 'nothing listens on it (a socket left by a containerd that stopped?)' : errno === 'ENOENT' ? 'the socket went away' : details;
        return new SourceError('daemon-unavailable', this.label, `containerd does not answer on ${this.url}: ${why}; start containerd, or set CONTAINERD_ADDRESS to its socket`, { cause: e });
      }
      case grpcStatus.DEADLINE_EXCEEDED:
        return new SourceError('daemon-unavailable', this.label, `containerd at ${this.url} did not answer in time while ${doing}`, { cause: e });
      case grpcStatus.PERMISSION_DENIED:
      case grpcStatus.UNAUTHENTICATED:
        return new SourceError('permission-denied', this.label, `containerd at ${this.url} refused ${doing} (${details})`, { cause: e });
      case grpcStatus.RESOURCE_EXHAUSTED:
        return new SourceError('limit-exceeded', this.label, `containerd's answer while ${doing} is larger than ${MAX_MESSAGE} bytes (${details})`, { cause: e });
      default:
        return new SourceError('daemon-unavailable', this.label, `containerd at ${this.url} answered ${statusName(e.code)} while ${doing} (${details})`, { cause: e });
    }
  }

  private unary(service: string, name: string, request: object, doing: string, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
    if (this.closed) return Promise.reject(new SourceError('network', this.label, `stopped while ${doing}`));
    const m = method(service, name);
    const options: CallOptions = { deadline: Date.now() + timeoutMs };
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, this.metadata, options, (err, res) => {
        this.active.delete(call);
        if (err) reject(err);
        else resolve(res);
      });
      this.active.add(call);
    });
  }

  /** containerd's version (`1.6.20`); the first call, with a short deadline, so a dead socket is found quickly. */
  async version(): Promise<string> {
    try {
      const r = await this.unary('containerd.services.version.v1.Version', 'Version', {}, 'asking for its version', CONNECT_TIMEOUT_MS);
      return sanitize(str(isObj(r) ? r.version : undefined) ?? 'unknown').slice(0, 64);
    } catch (e) {
      throw this.failure(e, 'connecting');
    }
  }

  /** `Images.Get`: the image of that exact name, or undefined when the namespace has none. */
  async getImage(name: string): Promise<ContainerdImage | undefined> {
    let r: unknown;
    try {
      r = await this.unary('containerd.services.images.v1.Images', 'Get', { name }, 'looking up the image');
    } catch (e) {
      if (isServiceError(e) && e.code === grpcStatus.NOT_FOUND) return undefined;
      throw this.failure(e, 'looking up the image');
    }
    const image = toImage(isObj(r) ? r.image : undefined);
    if (!image) throw new SourceError('corrupt', this.label, `containerd at ${this.url} described the image without a target descriptor`);
    return image;
  }

  /** `Images.List`: every image in the namespace (records without a valid target are left out). */
  async listImages(): Promise<ContainerdImage[]> {
    let r: unknown;
    try {
      r = await this.unary('containerd.services.images.v1.Images', 'List', {}, 'listing images');
    } catch (e) {
      throw this.failure(e, 'listing images');
    }
    const list = isObj(r) && Array.isArray(r.images) ? r.images : [];
    return list.map(toImage).filter((x): x is ContainerdImage => x !== undefined);
  }

  /** `Namespaces.List`: the names of every namespace (namespaces are not namespaced). */
  async listNamespaces(): Promise<string[]> {
    let r: unknown;
    try {
      r = await this.unary('containerd.services.namespaces.v1.Namespaces', 'List', {}, 'listing namespaces');
    } catch (e) {
      throw this.failure(e, 'listing namespaces');
    }
    const list = isObj(r) && Array.isArray(r.namespaces) ? r.namespaces : [];
    return list.map((n) => (isObj(n) ? str(n.name) : undefined)).filter((n): n is string => n !== undefined);
  }

  /** `Content.Info`: the size of a committed blob, or undefined when the content store lacks it. */
  async blobSize(digest: string): Promise<number | undefined> {
    let r: unknown;
    try {
      r = await this.unary('containerd.services.content.v1.Content', 'Info', { digest }, `looking up blob ${digest.slice(0, 19)}…`);
    } catch (e) {
      if (isServiceError(e) && e.code === grpcStatus.NOT_FOUND) return undefined;
      throw this.failure(e, `looking up blob ${digest.slice(0, 19)}…`);
    }
    const info = isObj(r) && isObj(r.info) ? r.info : undefined;
    return typeof info?.size === 'number' ? info.size : 0;
  }

  /**
   * `Content.Read` from byte `offset` to the end, as a Readable of Buffers (the caller destroys
   * it). The stream checks that each message continues where the last one ended; a failed call
   * surfaces as a SourceError on the stream: not-found when the blob is gone
   * (`missing` gives the message), else what `failure` says.
   */
  read(digest: string, offset: number, missing: () => SourceError): Readable {
    const m = method('containerd.services.content.v1.Content', 'Read');
    const doing = `reading blob ${digest.slice(0, 19)}…`;
    if (this.closed) {
      const stopped = new Readable({ read() {} });
      stopped.destroy(new SourceError('network', this.label, `stopped while ${doing}`));
      return stopped;
    }
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, { digest, offset, size: 0 }, this.metadata, {});
    this.active.add(call);
    // containerd numbers the data from the start of the read (1.6) or of the blob; either is fine
    // as long as the pieces are contiguous.
    let got = 0;
    const out = new Readable({
      // A few of containerd's 1 MiB messages in flight while the consumer decompresses and parses.
      highWaterMark: 4 << 20,
      read: () => call.resume(),
      destroy: (err, cb) => {
        this.active.delete(call);
        call.cancel();
        cb(err);
      },
    });
    call.on('data', (msg: unknown) => {
      const data = isObj(msg) && Buffer.isBuffer(msg.data) ? msg.data : undefined;
      const at = isObj(msg) && typeof msg.offset === 'number' ? msg.offset : got;
      if (!data || (at !== got && at !== offset + got)) {
        out.destroy(new SourceError('corrupt', this.label, `containerd at ${this.url} sent blob ${digest.slice(0, 19)}… out of order`));
        return;
      }
      got += data.length;
      if (!out.push(data)) call.pause();
    });
    call.on('end', () => {
      this.active.delete(call);
      out.push(null);
    });
    call.on('error', (e: unknown) => {
      this.active.delete(call);
      if (out.destroyed) return;
      out.destroy(isServiceError(e) && e.code === grpcStatus.NOT_FOUND ? missing() : this.failure(e, doing));
    });
    return out;
  }

  /**
   * A blob read through `Content.Read` and checked against its digest as it passes (see
   * `VerifiedBlob`): more bytes than `d.size` or a digest mismatch fail the read with
   * digest-mismatch; a stalled read resumes at the offset it reached.
   */
  verifiedBlob(d: Pick<Descriptor, 'digest' | 'size'>, label: string, missing: () => SourceError): VerifiedBlob {
    return new VerifiedBlob({
      digest: d.digest,
      size: d.size > 0 ? d.size : undefined,
      label,
      sender: `containerd at ${this.url}`,
      idleMs: CALL_TIMEOUT_MS,
      maxResumes: 2,
      backoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
      fetch: async (from) => {
        const body = this.read(d.digest, from, missing);
        // The shape VerifiedBlob resumes with: a partial answer that starts where it asked.
        return {
          status: from > 0 ? 206 : 200,
          url: new URL(this.url),
          header: (name: string) => (name.toLowerCase() === 'content-range' && from > 0 ? `bytes ${from}-` : undefined),
          body,
        };
      },
    });
  }

  /**
   * Reads a small blob whole (a manifest, an index, a config) and checks it against its digest:
   * at most `cap` bytes (SourceError limit-exceeded past it), and `missing()` when the content
   * store lacks it.
   */
  async readSmall(d: Descriptor, cap: number, label: string, missing: () => SourceError): Promise<Buffer> {
    const size = await this.blobSize(d.digest);
    if (size === undefined) throw missing();
    if (size > cap || d.size > cap) {
      throw new SourceError('limit-exceeded', label, `blob ${d.digest.slice(0, 19)}… is ${Math.max(size, d.size)} bytes, more than the ${cap}-byte limit for metadata`);
    }
    const blob = this.verifiedBlob({ digest: d.digest, size: d.size > 0 ? d.size : size }, label, missing);
    const chunks: Buffer[] = [];
    try {
      for (let c = await blob.next(); c !== null; c = await blob.next()) chunks.push(c);
    } finally {
      blob.abort();
    }
    return Buffer.concat(chunks);
  }
}
