import type { HistoryEntry } from './model.js';

/**
 * A build step as `docker history` shows it, without the shell noise: `/bin/sh -c #(nop) CMD
 * ["sh"]` → `CMD ["sh"]`, `/bin/sh -c apk add x` → `RUN apk add x`, BuildKit's
 * `RUN /bin/sh -c make # buildkit` → `RUN make`.
 */
export function cleanCommand(createdBy: string | undefined): string {
  if (!createdBy) return '';
  let s = createdBy.trim();
  s = s.replace(/\s+# buildkit$/, '');
  const nop = /^\/bin\/(?:ba)?sh -c #\(nop\)\s*/.exec(s);
  if (nop) return s.slice(nop[0].length).trim();
  // BuildKit: `RUN |2 A=1 B=2 /bin/sh -c cmd` (build args prefixed)
  const bk = /^RUN (?:\|\d+ (?:\S+=\S* )*)?\/bin\/(?:ba)?sh -c\s+/.exec(s);
  if (bk) return `RUN ${s.slice(bk[0].length)}`.trim();
  const sh = /^(?:\|\d+ (?:\S+=\S* )*)?\/bin\/(?:ba)?sh -c\s+/.exec(s);
  if (sh) return `RUN ${s.slice(sh[0].length)}`.trim();
  return s;
}

/** One `history` step with the layer it produced (or, for empty steps, the layer it follows). */
export type HistoryItem = {
  readonly created?: string;
  readonly createdBy?: string;
  /** `createdBy` without the shell noise. */
  readonly command: string;
  readonly comment?: string;
  readonly emptyLayer: boolean;
  /** For a step that made a layer: its index. For an empty step: the last layer before it (-1 before any). */
  readonly layer: number;
};

/**
 * Maps history onto layers: the n-th non-empty step made layer n (OCI image config,
 * "history"). Steps beyond the layer count are kept with `layer` set to the last layer.
 */
export function mapHistory(history: readonly HistoryEntry[], layerCount: number): HistoryItem[] {
  let next = 0;
  return history.map((h) => {
    const base = { created: h.created, createdBy: h.createdBy, command: cleanCommand(h.createdBy), comment: h.comment };
    if (h.emptyLayer || next >= layerCount) return { ...base, emptyLayer: h.emptyLayer, layer: h.emptyLayer ? next - 1 : layerCount - 1 };
    return { ...base, emptyLayer: false, layer: next++ };
  });
}
