/**
 * Caps on metadata reads (containers/image `iolimits`): past them a typed `limit-exceeded`
 * error, never an out-of-memory crash. One constant per kind of document.
 */

/** A manifest, an image index, a docker-save `manifest.json` or an OCI `index.json`: 4 MiB, the distribution registry's own cap. */
export const MANIFEST_CAP = 4 << 20;

/** An image config (history included): 4 MiB. */
export const CONFIG_CAP = 4 << 20;

/** A client configuration file (`~/.docker/config.json`, a credential helper's answer): 1 MiB. */
export const CLIENT_CONFIG_CAP = 1 << 20;

/** A daemon's `/images/{name}/json`, `/version` or error answer: 4 MiB. */
export const DAEMON_ANSWER_CAP = 4 << 20;

/**
 * An attestation statement (BuildKit's `mode=max` provenance records every build step and the
 * Dockerfile): 16 MiB. A larger one is left unread, as if the image had none.
 */
export const PROVENANCE_CAP = 16 << 20;
