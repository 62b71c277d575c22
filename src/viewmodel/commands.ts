/**
 * Every command the inspector understands, with where it applies, its default keys (dive's
 * where dive has one) and the text help and the status bar show. The keymap, the help overlay
 * and the status bar are all generated from this one table.
 */
export type Scope = 'global' | 'layers' | 'tree' | 'waste' | 'history' | 'packages';

export type CommandSpec = {
  readonly id: CommandId;
  readonly scope: Scope;
  readonly keys: readonly string[];
  /** Help text. */
  readonly help: string;
  /** Short label for the status bar; absent: help only. */
  readonly label?: string;
  /**
   * How much the status bar wants this label: the bar shows the focused pane's and the global
   * labels that fit, highest first (`? Help` always last). Absent: `DEFAULT_STATUS_PRIORITY`,
   * below every ranked one, so a new command never pushes out the keys people use most.
   */
  readonly priority?: number;
  /**
   * Commands the status bar shows together, as one item with each member's state (dive's
   * `^A Added ^R Removed ^M Modified ^U Unmodified`), at the highest priority of the group.
   */
  readonly group?: 'kinds';
};

/** The status-bar priority of a labelled command that has none. */
export const DEFAULT_STATUS_PRIORITY = 0;

export const COMMANDS = [
  { id: 'app.quit', scope: 'global', keys: ['q', 'ctrl+c'], help: 'Quit', label: 'Quit', priority: 90 },
  { id: 'app.help', scope: 'global', keys: ['?'], help: 'Show or hide this help', label: 'Help' },
  { id: 'app.switchPane', scope: 'global', keys: ['tab'], help: 'Switch between the layers, file tree and (when open) file history panes', label: 'Switch view', priority: 100 },
  { id: 'app.compare', scope: 'global', keys: ['c'], help: 'Compare this image with another, typed at a prompt', label: 'Compare', priority: 20 },
  { id: 'app.findings', scope: 'global', keys: ['e'], help: 'Findings: which step wasted what, and how to fix it', label: 'Findings', priority: 40 },
  { id: 'app.info', scope: 'global', keys: ['i'], help: 'Image history (every step, empty ones too) and config', label: 'History/config', priority: 45 },
  { id: 'app.copy', scope: 'global', keys: ['y'], help: "Copy the selected path (layers pane: the layer's digest) to the clipboard", label: 'Copy', priority: 30 },
  { id: 'filter.open', scope: 'global', keys: ['ctrl+f', 'ctrl+/'], help: 'Filter the file tree by path (live regular expression; Enter keeps it, Esc clears)', label: 'Filter', priority: 70 },
  { id: 'search.open', scope: 'global', keys: ['/'], help: 'Search paths (Enter keeps, Esc cancels); in the packages pane, filter them', label: 'Search', priority: 65 },
  { id: 'search.next', scope: 'global', keys: ['n'], help: 'Next search match' },
  { id: 'search.prev', scope: 'global', keys: ['N'], help: 'Previous search match' },
  { id: 'cursor.up', scope: 'global', keys: ['up', 'k'], help: 'Move up' },
  { id: 'cursor.down', scope: 'global', keys: ['down', 'j'], help: 'Move down' },
  { id: 'cursor.pageUp', scope: 'global', keys: ['pgup', 'u'], help: 'Page up' },
  { id: 'cursor.pageDown', scope: 'global', keys: ['pgdn', 'd'], help: 'Page down' },
  { id: 'cursor.top', scope: 'global', keys: ['g', 'home'], help: 'Go to the top' },
  { id: 'cursor.bottom', scope: 'global', keys: ['G', 'end'], help: 'Go to the bottom' },
  { id: 'layers.compareLayer', scope: 'layers', keys: ['ctrl+l'], help: 'Show the changes of the selected layer only', label: 'Layer changes', priority: 85 },
  { id: 'layers.compareAggregated', scope: 'layers', keys: ['ctrl+a'], help: 'Show the changes of all layers up to the selected one', label: 'Aggregated', priority: 80 },
  { id: 'layers.extract', scope: 'layers', keys: ['ctrl+e'], help: "Extract the layer's whole filesystem into a new directory named after the image (asks first)" },
  { id: 'layers.markBase', scope: 'layers', keys: ['m'], help: 'Mark the selected layer as the base of a compared range (again: unmark)', label: 'Mark base', priority: 75 },
  { id: 'tree.collapse', scope: 'tree', keys: ['space', 'enter'], help: 'Collapse or expand the directory (also Enter, where it is not Ctrl+M)', label: 'Collapse', priority: 85 },
  { id: 'tree.collapseAll', scope: 'tree', keys: ['ctrl+space'], help: 'Collapse or expand all directories', label: 'Collapse all', priority: 50 },
  { id: 'tree.parent', scope: 'tree', keys: ['left', 'h'], help: 'Go to the parent directory' },
  { id: 'tree.into', scope: 'tree', keys: ['right', 'l'], help: 'Expand the directory and go into it' },
  { id: 'tree.toggleAdded', scope: 'tree', keys: ['ctrl+a'], help: 'Show or hide added files', label: 'Added', priority: 68, group: 'kinds' },
  { id: 'tree.toggleRemoved', scope: 'tree', keys: ['ctrl+r'], help: 'Show or hide removed files', label: 'Removed', priority: 68, group: 'kinds' },
  { id: 'tree.toggleModified', scope: 'tree', keys: ['ctrl+m'], help: 'Show or hide modified files (most terminals send Enter as Ctrl+M: Enter too)', label: 'Modified', priority: 68, group: 'kinds' },
  { id: 'tree.toggleUnmodified', scope: 'tree', keys: ['ctrl+u'], help: 'Show or hide unmodified files', label: 'Unmodified', priority: 68, group: 'kinds' },
  { id: 'tree.toggleAttributes', scope: 'tree', keys: ['ctrl+b'], help: 'Show or hide file attributes', label: 'Attributes', priority: 55 },
  { id: 'tree.toggleSort', scope: 'tree', keys: ['ctrl+o'], help: 'Sort by name or by size', label: 'Sort', priority: 60 },
  { id: 'tree.toggleWhiteouts', scope: 'tree', keys: ['w'], help: 'Show what whiteouts and opaque directories in the compared range hide', label: 'Whiteouts', priority: 15 },
  { id: 'tree.fileHistory', scope: 'tree', keys: ['f'], help: 'Show every layer that touched the selected path', label: 'File history', priority: 80 },
  { id: 'tree.view', scope: 'tree', keys: ['v'], help: 'View the selected file as the selected layer has it (hex for binaries; / searches)', label: 'View', priority: 70 },
  { id: 'tree.extract', scope: 'tree', keys: ['ctrl+e'], help: "Extract the selected file or directory, as the selected layer's view has it, into the current directory", label: 'Extract', priority: 75 },
  { id: 'extract.skipped', scope: 'global', keys: ['X'], help: 'List everything the last extraction skipped, and why' },
  { id: 'app.packages', scope: 'global', keys: ['p'], help: 'Packages of the selected layer or range (a comparison: what changed)', label: 'Packages', priority: 42 },
  { id: 'packages.show', scope: 'packages', keys: ['enter'], help: "Show only the package's files in the file tree (Esc there: all files)", label: 'Show files', priority: 95 },
  { id: 'packages.toggleSort', scope: 'packages', keys: ['ctrl+o'], help: 'Sort by size (a comparison: by size change) or by name', label: 'Sort', priority: 60 },
  { id: 'waste.focus', scope: 'global', keys: ['W'], help: 'Browse the wasted-files list (image details); again: back to the tree' },
  { id: 'waste.jump', scope: 'waste', keys: ['enter'], help: 'Go to the path in the file tree, at the last layer that wrote it', label: 'Go to path', priority: 90 },
  { id: 'history.mark', scope: 'history', keys: ['space'], help: 'Mark the version under the cursor (again: unmark) to diff it with another', label: 'Mark', priority: 90 },
  { id: 'history.diff', scope: 'history', keys: ['d'], help: 'Diff the marked version with the one under the cursor (no mark: with the version before it)', label: 'Diff', priority: 95 },
  { id: 'history.view', scope: 'history', keys: ['v'], help: 'View the version under the cursor', label: 'View', priority: 85 },
] as const satisfies readonly { id: string; scope: Scope; keys: readonly string[]; help: string; label?: string; priority?: number; group?: 'kinds' }[];

export type CommandId = (typeof COMMANDS)[number]['id'];

export const COMMAND_IDS: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.id));
