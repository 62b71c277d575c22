/**
 * Plain, read-only data shared by every stage. OCI vocabulary: `digest` is the digest of a
 * (possibly compressed) blob, `diffId` the digest of the uncompressed layer tar. Layer index 0
 * is the base.
 */

/** A `sha256:<hex>` style content address. */
export type Digest = string;

export type EntryType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char-device'
  | 'block-device'
  | 'fifo';

/**
 * One tar entry of a layer, as the layer reader saw it. Whiteout markers (`.wh.NAME`,
 * `.wh..wh..opq`) are kept as ordinary entries here; the core interprets them.
 */
export type LayerEntry = {
  /** Cleaned like Go's `path.Clean`, relative, no leading or trailing slash: `usr/bin/sh`. */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** The tar header's size field, in bytes (0 for links, directories and devices). */
  readonly size: number;
  /** Target of a symlink or hard link, as written in the archive. */
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
};

/**
 * The content key of each entry, by global entry id (`ImageIndex.entries`): the hex sha256 of a
 * regular file's body; a token shared by exactly the entries whose bodies were compared byte
 * for byte and found equal (`EQUAL_CONTENT_KEY…`); or a token unique to the entry
 * (`UNIQUE_CONTENT_KEY…`) when a cheaper fingerprint or comparison already proved its content
 * differs from every entry it is compared with. Equal keys mean equal content. Only
 * the entries of `selectHashGroups` need one, and keys are meaningful only within those groups.
 * The loader computes them after indexing; the analysis takes them as an argument.
 */
export type ContentKeys = ReadonlyArray<string | undefined>;

/**
 * Content keys that are not digests start with this: a token standing for "differs from every
 * entry it is compared with" (see `ContentKeys`).
 */
export const UNIQUE_CONTENT_KEY = '~';

/**
 * Content keys that name a class of entries found equal by comparing their bytes start with
 * this (see `ContentKeys`): like a digest, equal keys mean equal content.
 */
export const EQUAL_CONTENT_KEY = '=';

/** True for a key that only says "differs from everything it is compared with". */
export function isUniqueContentKey(key: string): boolean {
  return key.startsWith(UNIQUE_CONTENT_KEY);
}

/** True when a content key is a hex sha256 of the body (a fact about the layer, worth caching). */
export function isContentDigest(key: string | undefined): key is string {
  return key !== undefined && /^[0-9a-f]{64}$/.test(key);
}

/** What a source knows about one layer, before or without reading it. */
export type LayerDescriptor = {
  /** Digest of the blob as stored (compressed or not); absent for legacy docker-save layers. */
  readonly digest?: Digest;
  /** Digest of the uncompressed tar, from the config's `rootfs.diff_ids`. */
  readonly diffId?: Digest;
  readonly mediaType?: string;
  /** Size of the blob as stored, in bytes. */
  readonly compressedSize?: number;
};

/** One `history` entry of the image config. */
export type HistoryEntry = {
  readonly created?: string;
  readonly createdBy?: string;
  readonly comment?: string;
  readonly author?: string;
  readonly emptyLayer: boolean;
};

/** The parts of an image config (OCI image config / Docker image JSON) the tool shows. */
export type ImageConfig = {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly diffIds: readonly Digest[];
  readonly history: readonly HistoryEntry[];
  readonly config: {
    readonly user?: string;
    readonly env?: readonly string[];
    readonly entrypoint?: readonly string[];
    readonly cmd?: readonly string[];
    readonly workingDir?: string;
    readonly exposedPorts?: readonly string[];
    readonly volumes?: readonly string[];
    readonly labels?: Readonly<Record<string, string>>;
    readonly stopSignal?: string;
  };
};

/** An OCI platform, as in an image index's `platform` field or `--platform os/arch[/variant]`. */
export type Platform = { readonly os: string; readonly architecture: string; readonly variant?: string };

/** Where the image came from, for display and the JSON export. */
export type ImageIdentity = {
  /** The reference as the user would write it again: `docker-archive:./img.tar`. */
  readonly reference: string;
  /** The transport used: `docker-archive`, `oci`, `oci-archive`, `docker-daemon`, `docker`. */
  readonly source: string;
  /** The platform of the chosen manifest (or the config's), when known. */
  readonly platform?: Platform;
  /** Digest of the manifest, when the source has one. */
  readonly digest?: Digest;
  /** Digest of the config blob (the image ID). */
  readonly configDigest?: Digest;
};

/** Everything the analysis core needs: identity, config, and every layer's entries, base first. */
export type ImageInput = {
  readonly identity: ImageIdentity;
  readonly config: ImageConfig;
  readonly layers: readonly {
    readonly descriptor: LayerDescriptor;
    readonly entries: readonly LayerEntry[];
  }[];
};
