import type { HistoryEntry } from '../core/index.js';
import type { Builder } from './types.js';

/**
 * A history entry's `created_by` read back into the instruction it records. The forms, from the
 * builders' sources and from images they wrote:
 *
 * | builder | instruction | `created_by` |
 * |---|---|---|
 * | BuildKit | RUN | `RUN /bin/sh -c make # buildkit`, `RUN \|2 A=1 B=2 /bin/sh -c make # buildkit`, exec form `RUN make all # buildkit` |
 * | BuildKit | COPY, ADD | `COPY --chown=1:1 src /dest # buildkit` (variables expanded; `--from` and `--link` left out), `COPY <<EOF /f # buildkit` |
 * | BuildKit | others | `ENV A=b`, `ARG V=1.2`, `WORKDIR /app`, `CMD ["sh" "-c" "x"]` (comment `buildkit.dockerfile.v0`) |
 * | classic (Docker's legacy builder, buildah, podman) | RUN | `/bin/sh -c make`, `\|1 V=1.2 /bin/sh -c make`, buildah's exec form `/bin/sh -c ["a", "b"]` |
 * | classic | COPY, ADD | `/bin/sh -c #(nop) COPY file:<hex> in /dest ` (`dir:`, `multi:`); buildah keeps `$VAR` in the destination |
 * | classic | others | `/bin/sh -c #(nop)  CMD ["sh"]`, `/bin/sh -c #(nop) ARG V` |
 * | kaniko | all | the instruction as written: `RUN make`, `ADD src /dest` (author `kaniko`) |
 */
export type HistoryStep = {
  readonly builder: Builder;
  /** Upper-case keyword, or '' when the entry names none. */
  readonly keyword: string;
  /**
   * What follows the keyword. For RUN, the command line after any `|N A=b` prefix: with the
   * shell (`/bin/sh -c make`) for BuildKit and classic entries, as written for kaniko.
   */
  readonly body: string;
  /** The `A=b` pairs of a RUN's `|N` prefix (the build arguments in scope), as recorded. */
  readonly buildArgs: readonly (readonly [string, string])[];
  /**
   * A RUN with a `|N` prefix: the text after `|N ` (pairs and command). A value may hold spaces,
   * so where the pairs end is only certain once the command is known: a match tries both.
   */
  readonly prefixed?: string;
  /** Classic COPY and ADD: the destination of `file:<hex> in <dest>` (the sources are hashed away). */
  readonly hashedDest?: string;
};

const BUILDKIT_COMMENT = 'buildkit.dockerfile.v0';
const BUILDKIT_SUFFIX = ' # buildkit';
const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
// `/bin/sh -c #(nop) `: the classic form of an instruction that ran nothing.
const NOP = /^\S+(?: -\S+)* -c #\(nop\)\s*/;
// A shell prefix as Docker writes it by default: `/bin/sh -c`, `/bin/bash -c`, `cmd /S /C`.
const SHELL = /^(?:\/bin\/(?:ba)?sh -c|cmd \/S \/C)(?= |$)/;

/** Reads one history entry. Pure and total: an entry it cannot read has builder `unknown` and keyword ''. */
export function readHistoryStep(h: HistoryEntry): HistoryStep {
  const raw = h.createdBy ?? '';
  const bk = raw.endsWith(BUILDKIT_SUFFIX);
  const s = bk ? raw.slice(0, -BUILDKIT_SUFFIX.length) : raw;
  const builder: Builder = bk || h.comment === BUILDKIT_COMMENT ? 'buildkit' : h.author === 'kaniko' ? 'kaniko' : classicOrUnknown(s);
  const none: HistoryStep = { builder, keyword: '', body: '', buildArgs: [] };
  const nop = NOP.exec(s);
  if (nop) {
    const rest = s.slice(nop[0].length);
    const kw = /^(\S+)\s*/.exec(rest);
    if (!kw || !KEYWORDS.has(kw[1]!.toUpperCase())) return none;
    const keyword = kw[1]!.toUpperCase();
    const body = rest.slice(kw[0].length);
    const hashed = keyword === 'COPY' || keyword === 'ADD' ? /^(?:--\S+\s+)*(?:file|dir|multi):[0-9a-f]+ in (.*?)\s*$/.exec(body) : null;
    return { builder, keyword, body: body.trimEnd(), buildArgs: [], hashedDest: hashed ? hashed[1] : undefined };
  }
  if (builder === 'classic') {
    // `/bin/sh -c cmd` or `|N A=b /bin/sh -c cmd`: a RUN of the legacy builder or buildah.
    return { builder, keyword: 'RUN', ...splitBuildArgs(s) };
  }
  const kw = /^([A-Za-z]+)(?:\s+|$)/.exec(s);
  if (!kw || !KEYWORDS.has(kw[1]!.toUpperCase())) return none;
  const keyword = kw[1]!.toUpperCase();
  const after = s.slice(kw[0].length);
  if (keyword === 'RUN' && builder !== 'kaniko') {
    return { builder, keyword, ...splitBuildArgs(after) };
  }
  return { builder, keyword, body: after, buildArgs: [] };
}

function classicOrUnknown(s: string): Builder {
  return NOP.test(s) || SHELL.test(s) || /^\|\d+ /.test(s) ? 'classic' : 'unknown';
}

/**
 * Splits `|N A=1 B=two words /bin/sh -c cmd` into the pairs and the rest. A value may hold
 * spaces, so a pair ends where the next `NAME=` begins, and the last where the shell begins.
 */
export function splitBuildArgs(s: string): { body: string; buildArgs: [string, string][]; prefixed?: string } {
  const m = /^\|(\d+) /.exec(s);
  if (!m) return { body: s, buildArgs: [] };
  const n = Number(m[1]);
  let rest = s.slice(m[0].length);
  const args: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(rest);
    if (!kv) break;
    rest = rest.slice(kv[0].length);
    // The value runs to the next ` NAME=` (another pair) or, for the last, to the shell or the command.
    const stop = i < n - 1 ? / (?=[A-Za-z_][A-Za-z0-9_]*=)/.exec(rest) : / (?=\/|cmd \/S \/C )/.exec(rest) ?? / /.exec(rest);
    const end = stop ? stop.index : rest.length;
    args.push([kv[1]!, rest.slice(0, end)]);
    rest = rest.slice(Math.min(rest.length, end + 1));
  }
  return { body: rest, buildArgs: args, prefixed: s.slice(m[0].length) };
}
