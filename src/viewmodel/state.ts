import type { ComparePrompt } from './compare-prompt.js';
import type { KeyboardProtocol } from './keys.js';
import type { FileDiffState, HistoryCursor, ViewerState } from './viewer-state.js';
import type { ViewData } from './view-data.js';

/**
 * UI state beside the data, never on it: the analysis is read-only, and everything the user
 * changes (selected layer, compare mode, cursor, collapsed directories, filters) lives here.
 * Tree positions are path ids (stable for one analysis), so a cursor survives a layer change,
 * a filter or a sort.
 */
export type Pane = 'layers' | 'tree' | 'waste' | 'history' | 'packages';

export type Viewport = { readonly cols: number; readonly rows: number };

/** Which diff kinds the file tree hides (dive's Ctrl+A/R/M/U). `unmodified` also hides untouched paths. */
export type HiddenKinds = { readonly added: boolean; readonly removed: boolean; readonly modified: boolean; readonly unmodified: boolean };

/**
 * Collapsed directories as dive's default plus exceptions (lazygit's CollapsedPaths): a
 * directory is collapsed when `all` XOR `toggled.has(pathId)`. "Collapse all" flips `all` and
 * clears `toggled`, so it costs nothing however big the tree.
 */
export type Collapse = { readonly all: boolean; readonly toggled: ReadonlySet<number> };

export type CompareMode = 'layer' | 'aggregated';

export type AppState = {
  readonly viewport: Viewport;
  /** How the terminal reports keys: whether Enter and Ctrl+M are told apart (see `KeyboardProtocol`). */
  readonly keyboard: KeyboardProtocol;
  /** One-time tips already shown this session. */
  readonly tips: { readonly enterIsCtrlM: boolean };
  readonly focus: Pane;
  readonly overlay: 'none' | 'help' | 'info' | 'findings' | 'skipped';
  /** The selected row of the findings panel. */
  readonly findingsCursor: number;
  /** First line shown in the info (history+config) overlay and in help. */
  readonly overlayScroll: number;
  /** The layer list: its selected row (a layer; in a comparison a row of the aligned layers, 0 being all changes) and window. */
  readonly layers: {
    readonly cursor: number;
    readonly scroll: number;
    /** One image's: what the tree compares the selected layer with. */
    readonly mode: CompareMode;
    /** One image's: a marked base layer; the tree compares it with the selected layer. */
    readonly mark: number | null;
  };
  readonly tree: {
    /** Path id under the cursor; -1 before the first move. */
    readonly cursorPath: number;
    /** First visible row. */
    readonly scroll: number;
    readonly collapse: Collapse;
    readonly hidden: HiddenKinds;
    readonly attributes: boolean;
    readonly sort: 'name' | 'size';
    readonly whiteouts: boolean;
    readonly fileHistory: boolean;
    /** The package the tree is narrowed to (Enter in the packages pane; Esc in the tree clears it). */
    readonly package?: PackageFocus;
  };
  /** The packages pane (`p`): over the file tree while open. */
  readonly packages?: PackagesPaneState;
  /** The "compare with" prompt, while the user types the other image. */
  readonly compare?: ComparePrompt;
  /** In a comparison opened from an image with `c`: that image, which Esc goes back to. */
  readonly backTo?: string;
  readonly filter: { readonly text: string; readonly editing: boolean };
  readonly search: { readonly text: string; readonly editing: boolean; readonly origin: number };
  /** A question the user must answer before anything else (overwrite on extract, extracting a whole filesystem). */
  readonly prompt?: ExtractPrompt;
  /** The extraction asked for and running now, with its progress; Esc cancels it. */
  readonly extraction?: Extraction;
  /** What the last extraction skipped, and why (the `skipped` overlay lists it). */
  readonly lastSkipped?: readonly { readonly path: string; readonly reason: string; readonly kind: string }[];
  /** The cursor and scroll of the inefficient-files table in the image details pane (focus `waste`). */
  readonly waste?: { readonly cursor: number; readonly scroll: number };
  readonly message?: { readonly text: string; readonly tone: 'info' | 'error' };
  /** The file viewer, full screen over the panes, while open. */
  readonly viewer?: ViewerState;
  /** The diff of two versions of a file, full screen over the panes, while open. */
  readonly fileDiff?: FileDiffState;
  /** The file history panel's cursor and mark (for the path they were set on). */
  readonly history?: HistoryCursor;
};

/** A package the tree shows the files of: its identity (`packageIdentity`) and how it is named. */
export type PackageFocus = { readonly key: string; readonly label: string };

/** The packages pane: open or not, its cursor and window, its sort and its filter (a live regular expression over `manager name version`). */
export type PackagesPaneState = {
  readonly open: boolean;
  readonly cursor: number;
  readonly scroll: number;
  readonly sort: 'size' | 'name';
  readonly filter: string;
  /** The filter line is being typed. */
  readonly editing: boolean;
};

/** What Ctrl+E extracts: a path as the filesystem after `layer` has it, optionally into a new directory. */
export type ExtractTarget = {
  readonly pathId: number;
  readonly layer: number;
  /** A directory (relative to the current one) to write into; the whole filesystem goes there. */
  readonly into?: string;
  /** Why the layer is not the selected one (a whiteout or a removal hid the path there). */
  readonly note?: string;
};

export type ExtractPrompt =
  | { readonly kind: 'overwrite'; readonly path: string; readonly existing: readonly string[]; readonly target?: ExtractTarget }
  | { readonly kind: 'extractAll'; readonly path: string; readonly target: ExtractTarget; readonly bytes: number };

/**
 * An extraction asked for (Ctrl+E, or y at a prompt): the UI runs `request` (one run per
 * request object) and reports back with `extract.progress` and `extract.end`.
 */
export type Extraction = {
  readonly request: { readonly target: ExtractTarget; readonly overwrite: boolean };
  readonly progress: ExtractProgress;
  /** Esc was pressed: the UI stops it, and its end says what was written whole. */
  readonly cancelled: boolean;
};

export type ExtractProgress = {
  readonly path: string;
  readonly entries: number;
  readonly totalEntries: number;
  readonly bytes: number;
  readonly totalBytes: number;
};

/** The state a session of a view starts in (`createInitialState` for an image, `createComparisonState` for a comparison). */
export function createViewState(d: ViewData, viewport: Viewport): AppState {
  switch (d.kind) {
    case 'image':
      return createInitialState(viewport);
    case 'comparison':
      return createComparisonState(viewport);
  }
}

/** The state a session of one image starts in: the first layer, layer-changes mode, the layers pane focused. */
export function createInitialState(viewport: Viewport): AppState {
  return {
    viewport,
    keyboard: 'legacy',
    tips: { enterIsCtrlM: false },
    focus: 'layers',
    overlay: 'none',
    overlayScroll: 0,
    findingsCursor: 0,
    layers: { cursor: 0, scroll: 0, mode: 'layer', mark: null },
    tree: {
      cursorPath: -1,
      scroll: 0,
      collapse: { all: false, toggled: new Set() },
      hidden: { added: false, removed: false, modified: false, unmodified: false },
      attributes: true,
      sort: 'name',
      whiteouts: false,
      fileHistory: false,
    },
    filter: { text: '', editing: false },
    search: { text: '', editing: false, origin: -1 },
  };
}

/** The state a comparison opens in: all changes, only changed paths, the tree focused. */
export function createComparisonState(viewport: Viewport): AppState {
  const s = createInitialState(viewport);
  return { ...s, focus: 'tree', tree: { ...s.tree, hidden: { ...s.tree.hidden, unmodified: true } } };
}

/** The compared range (base, top] the tree shows: base -1 is the empty image. */
export function selectRange(state: AppState): { base: number; top: number } {
  const { cursor, mode, mark } = state.layers;
  if (mark !== null && mark !== cursor) return mark < cursor ? { base: mark, top: cursor } : { base: cursor, top: mark };
  return mode === 'aggregated' ? { base: -1, top: cursor } : { base: cursor - 1, top: cursor };
}

export function isCollapsed(c: Collapse, pathId: number): boolean {
  return c.all !== c.toggled.has(pathId);
}
