import { useEffect } from 'react';
import type { FileTree } from '../../core/index.js';
import type { BodyReader } from '../../extract/index.js';
import { DIFF_CAP, type DiffSide, type Action, type AppState, type ViewData, loadHighlighter, MAX_MATCHES, viewerPattern } from '../../viewmodel/index.js';
import { sanitize } from '../../format/index.js';

const UNAVAILABLE = 'file contents are not available here';

/** The merged filesystems whose versions of a file the diff reads: an image's; a comparison has none of its own. */
function layersOf(view: ViewData): FileTree | undefined {
  switch (view.kind) {
    case 'image':
      return view.analysis.tree;
    case 'comparison':
      return undefined;
  }
}

/**
 * Runs the reads the viewer and the file diff ask for: the window the viewer waits for, and
 * both versions of a diffed file (at most `DIFF_CAP` bytes each). Answers arrive as actions.
 */
export function useDocuments(view: ViewData, reader: BodyReader | undefined, state: AppState, dispatch: (a: Action) => void): void {
  const v = state.viewer;
  const pending = v?.pending;
  useEffect(() => {
    if (!v || !pending) return;
    if (!reader) return dispatch({ type: 'viewer.error', text: UNAVAILABLE });
    let live = true;
    // The highlighter and the file's language load beside the first read (text windows are highlighted when they arrive).
    Promise.all([reader.read({ layer: v.layer, pathId: v.bodyPathId, offset: pending.offset, length: pending.length, countLines: v.show !== 'binary' }), loadHighlighter(v.language)]).then(
      ([w]) => {
        if (live) dispatch({ type: 'viewer.window', pathId: v.pathId, layer: v.layer, window: w });
      },
      (e: unknown) => {
        if (live) dispatch({ type: 'viewer.error', text: `cannot read ${v.path}: ${(e as Error).message}` });
      },
    );
    return () => {
      live = false;
    };
    // Only a new request starts a read (the state it was made in is captured with it).
  }, [pending, reader]);

  // Counting the matches of a search in the whole file: one pass, stopped when the search changes or the viewer closes.
  const counting = v?.search.counting ? v.search.text : undefined;
  const countPattern = v && counting !== undefined ? viewerPattern(v) : undefined;
  useEffect(() => {
    if (!v || counting === undefined || !countPattern || 'error' in countPattern || countPattern.kind !== 'bytes') return;
    if (!reader) return dispatch({ type: 'viewer.counted', text: counting, starts: [], total: 0, error: UNAVAILABLE });
    const ac = new AbortController();
    reader.count({ layer: v.layer, pathId: v.bodyPathId, pattern: countPattern, max: MAX_MATCHES }, ac.signal).then(
      (m) => {
        if (!ac.signal.aborted) dispatch({ type: 'viewer.counted', text: counting, starts: m.starts, total: m.total });
      },
      (e: unknown) => {
        if (!ac.signal.aborted) dispatch({ type: 'viewer.counted', text: counting, starts: [], total: 0, error: (e as Error).message });
      },
    );
    return () => ac.abort();
    // One count per search text of one file.
  }, [counting, v?.bodyPathId, v?.layer, reader]);

  // A search past the loaded window: the reader looks through the whole body.
  const find = v?.search.find;
  useEffect(() => {
    if (!v || !find) return;
    if (!reader) return dispatch({ type: 'viewer.found', offset: -1, error: UNAVAILABLE });
    let live = true;
    const p = viewerPattern(v);
    if ('error' in p || p.kind !== 'bytes') return dispatch({ type: 'viewer.found', offset: -1 });
    reader.find({ layer: v.layer, pathId: v.bodyPathId, pattern: p, from: find.from, backward: find.backward }).then(
      (offset) => {
        if (live) dispatch({ type: 'viewer.found', offset });
      },
      (e: unknown) => {
        if (live) dispatch({ type: 'viewer.found', offset: -1, error: (e as Error).message });
      },
    );
    return () => {
      live = false;
    };
  }, [find, reader]);

  const d = state.fileDiff;
  const diffPending = d?.pending ? d : undefined;
  useEffect(() => {
    if (!diffPending) return;
    const tree = layersOf(view);
    if (!reader || !tree) return dispatch({ type: 'fileDiff.error', text: UNAVAILABLE });
    let live = true;
    const side = async (layer: number): Promise<DiffSide> => {
      const e = layer < 0 ? undefined : tree.entryAt(layer, diffPending.pathId);
      if (!e) return { kind: 'other', text: '' };
      if (e.type === 'file') {
        const w = await reader.read({ layer, pathId: diffPending.pathId, offset: 0, length: DIFF_CAP });
        return { kind: 'body', bytes: w.bytes, size: w.size };
      }
      if (e.type === 'symlink') return { kind: 'other', text: `symbolic link → ${sanitize(e.linkTarget ?? '')}` };
      if (e.type === 'hardlink') {
        // The same file as its target: diffed by the target's body, as that layer has it.
        const target = tree.find(e.linkTarget ?? '');
        if (target !== undefined && tree.entryAt(layer, target)?.type === 'file') {
          const w = await reader.read({ layer, pathId: target, offset: 0, length: DIFF_CAP });
          return { kind: 'body', bytes: w.bytes, size: w.size };
        }
        return { kind: 'other', text: `hard link to /${sanitize(e.linkTarget ?? '')}` };
      }
      return { kind: 'other', text: `(${e.type})` };
    };
    Promise.all([side(diffPending.oldLayer), side(diffPending.newLayer)]).then(
      ([o, n]) => {
        const go = diffPending.oldLayer < 0 ? -1 : tree.entryIdAt(diffPending.oldLayer, diffPending.pathId);
        const gn = tree.entryIdAt(diffPending.newLayer, diffPending.pathId);
        const ko = go >= 0 ? tree.contentKey(go) : undefined;
        const kn = gn >= 0 ? tree.contentKey(gn) : undefined;
        const sameContent = ko !== undefined && kn !== undefined ? ko === kn : undefined;
        if (live) dispatch({ type: 'fileDiff.loaded', old: o, new: n, sameContent });
      },
      (e: unknown) => {
        if (live) dispatch({ type: 'fileDiff.error', text: `cannot read ${diffPending.path}: ${(e as Error).message}` });
      },
    );
    return () => {
      live = false;
    };
  }, [diffPending, reader]);
}
