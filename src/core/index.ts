/** The pure analysis core: plain data in, one `Analysis` out. No I/O, no clocks, no UI. */
export * from './model.js';
export { indexImage, selectHashGroups, selectHashRequests, isImplicit, EntryKind } from './index-image.js';
export type { ImageIndex, PathProblem, Removal, Contributions } from './index-image.js';
export { analyzeImage, summarize } from './analyze.js';
export type { Analysis, AnalysisSummary, LayerSummary, InefficientFile, Reclaimable, ChangeCounts } from './analyze.js';
export { compareEntries } from './compare.js';
export type { EntryDelta } from './compare.js';
export { cleanCommand, mapHistory } from './history.js';
export type { HistoryItem } from './history.js';
export { PathTable } from './path-table.js';
export { MergedViews } from './merged-views.js';
export { Change, FileTree } from './file-tree.js';
export type { ChangeCode, EntryOrigin, FileEvent, Hidden } from './file-tree.js';
