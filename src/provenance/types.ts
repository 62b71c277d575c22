/**
 * What "which line made a layer" answers: the types every other part reads (the JSON export's
 * `layers[].source`, the reports' locations, the inspector's layer details, the findings).
 */

/**
 * Where an instruction is in a Dockerfile. `file` is the path as the user gave it (or the name
 * the build recorded); `line` and `endLine` are 1-based and inclusive: `endLine` is the last line
 * of a continued instruction or the terminator of its last heredoc.
 */
export type SourceLocation = { readonly file: string; readonly line: number; readonly endLine: number };

/** A build stage: its position among the Dockerfile's `FROM`s (0-based) and its `AS` name. */
export type StageRef = { readonly index: number; readonly name?: string };

/** One Dockerfile instruction a history step or a layer comes from. */
export type InstructionRef = {
  readonly location: SourceLocation;
  /** Upper-case keyword: `RUN`, `COPY`, …; '' when the build did not record the Dockerfile's text. */
  readonly keyword: string;
  /**
   * The instruction on one line as the builder saw it: continuations joined, comment lines
   * inside them dropped, runs of white space as one space, heredoc bodies left out (`RUN <<EOT`).
   * '' when the build did not record the Dockerfile's text. Text from a file: escape it before printing.
   */
  readonly instruction: string;
  /** Null when the build did not record the Dockerfile's text. */
  readonly stage: StageRef | null;
};

/** What is known of one layer of the image (in manifest order, base first). */
export type LayerSource = {
  readonly layer: number;
  /** Index in the config's `history` of the step that produced the layer, when the history says. */
  readonly history?: number;
  /** True for a layer of the base image: below the final stage's first `FROM` of an image. */
  readonly base: boolean;
  /**
   * The one instruction that wrote the layer. `null` for base layers, for a layer several
   * instructions were squashed into (see `makers`) and for a layer nothing matched.
   */
  readonly source: SourceLocation | null;
  /** The instruction of `source`, on one line (see `InstructionRef.instruction`); null with it. */
  readonly instruction: string | null;
  /** The stage of `source`; null with it. */
  readonly stage: StageRef | null;
  /** Every instruction that wrote into the layer: one, or several when a builder squashed them. */
  readonly makers: readonly InstructionRef[];
};

/**
 * The Dockerfile lines of an image. `layers` has one entry per layer of the image; `steps` one
 * per entry of the config's `history` (null where no instruction is known, as for the base).
 */
export type ImageSources = {
  /** How the lines were found: BuildKit's provenance in the image, or the Dockerfile matched to the history. */
  readonly via: 'provenance' | 'dockerfile';
  /** The Dockerfile the locations point into, as the user gave it or as the build recorded it. */
  readonly file: string;
  /** The final stage's `FROM`, where results about the whole image are located; null when unknown. */
  readonly from: SourceLocation | null;
  readonly layers: readonly LayerSource[];
  readonly steps: readonly (InstructionRef | null)[];
};

/**
 * Which tool wrote a history entry, told from its form:
 * - `buildkit`: `RUN /bin/sh -c … # buildkit`, `COPY src dest # buildkit`, comment `buildkit.dockerfile.v0`;
 * - `classic`: Docker's legacy builder, buildah and podman: `/bin/sh -c #(nop) ENV …`,
 *   `|1 A=b /bin/sh -c …`, `COPY file:<hex> in /dest `;
 * - `kaniko`: author `kaniko`, the instruction as written (`RUN make`), no entry for steps that
 *   changed no file;
 * - `unknown`: none of these (an entry with no `created_by`, or another tool's text).
 */
export type Builder = 'buildkit' | 'classic' | 'kaniko' | 'unknown';
