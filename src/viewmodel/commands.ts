/**
 * Every command the inspector understands, with where it applies, its default keys (dive's
 * where dive has one) and the text help and the status bar show. The keymap, the help overlay
 * and the status bar are all generated from this one table.
 */
export type Scope = 'global' | 'layers' | 'tree' | 'history';

export type CommandSpec = {
  readonly id: CommandId;
  readonly scope: Scope;
  readonly keys: readonly string[];
  /** Help text. */
  readonly help: string;
  /** Short label for the status bar; absent: help only. */
  readonly label?: string;
};

export const COMMANDS = [
  { id: 'app.quit', scope: 'global', keys: ['q', 'ctrl+c'], help: 'Quit', label: 'Quit' },
  { id: 'app.help', scope: 'global', keys: ['?'], help: 'Show or hide this help', label: 'Help' },
  { id: 'app.switchPane', scope: 'global', keys: ['tab'], help: 'Switch between the layers, file tree and (when open) file history panes', label: 'Switch view' },
  { id: 'app.compare', scope: 'global', keys: ['c'], help: 'Compare this image with another, typed at a prompt', label: 'Compare' },
  { id: 'app.findings', scope: 'global', keys: ['e'], help: 'Findings: which step wasted what, and how to fix it', label: 'Findings' },
  { id: 'app.info', scope: 'global', keys: ['i'], help: 'Image history (every step, empty ones too) and config', label: 'History/config' },
  { id: 'filter.open', scope: 'global', keys: ['ctrl+f', 'ctrl+/'], help: 'Filter the file tree by path (live regular expression; Enter keeps it, Esc clears)', label: 'Filter' },
  { id: 'search.open', scope: 'global', keys: ['/'], help: 'Search paths and jump to the next match (Enter keeps, Esc cancels)', label: 'Search' },
  { id: 'search.next', scope: 'global', keys: ['n'], help: 'Next search match' },
  { id: 'search.prev', scope: 'global', keys: ['N'], help: 'Previous search match' },
  { id: 'cursor.up', scope: 'global', keys: ['up', 'k'], help: 'Move up' },
  { id: 'cursor.down', scope: 'global', keys: ['down', 'j'], help: 'Move down' },
  { id: 'cursor.pageUp', scope: 'global', keys: ['pgup', 'u'], help: 'Page up' },
  { id: 'cursor.pageDown', scope: 'global', keys: ['pgdn', 'd'], help: 'Page down' },
  { id: 'cursor.top', scope: 'global', keys: ['g', 'home'], help: 'Go to the top' },
  { id: 'cursor.bottom', scope: 'global', keys: ['G', 'end'], help: 'Go to the bottom' },
  { id: 'layers.compareLayer', scope: 'layers', keys: ['ctrl+l'], help: 'Show the changes of the selected layer only', label: 'Layer changes' },
  { id: 'layers.compareAggregated', scope: 'layers', keys: ['ctrl+a'], help: 'Show the changes of all layers up to the selected one', label: 'Aggregated' },
  { id: 'layers.markBase', scope: 'layers', keys: ['m'], help: 'Mark the selected layer as the base of a compared range (again: unmark)', label: 'Mark base' },
  { id: 'tree.collapse', scope: 'tree', keys: ['space'], help: 'Collapse or expand the directory', label: 'Collapse' },
  { id: 'tree.collapseAll', scope: 'tree', keys: ['ctrl+space'], help: 'Collapse or expand all directories', label: 'Collapse all' },
  { id: 'tree.parent', scope: 'tree', keys: ['left', 'h'], help: 'Go to the parent directory' },
  { id: 'tree.into', scope: 'tree', keys: ['right', 'l'], help: 'Expand the directory and go into it' },
  { id: 'tree.toggleAdded', scope: 'tree', keys: ['ctrl+a'], help: 'Show or hide added files', label: 'Added' },
  { id: 'tree.toggleRemoved', scope: 'tree', keys: ['ctrl+r'], help: 'Show or hide removed files', label: 'Removed' },
  { id: 'tree.toggleModified', scope: 'tree', keys: ['ctrl+m'], help: 'Show or hide modified files (Ctrl+M is Enter in a terminal)', label: 'Modified' },
  { id: 'tree.toggleUnmodified', scope: 'tree', keys: ['ctrl+u'], help: 'Show or hide unmodified files', label: 'Unmodified' },
  { id: 'tree.toggleAttributes', scope: 'tree', keys: ['ctrl+b'], help: 'Show or hide file attributes', label: 'Attributes' },
  { id: 'tree.toggleSort', scope: 'tree', keys: ['ctrl+o'], help: 'Sort by name or by size', label: 'Sort' },
  { id: 'tree.toggleWhiteouts', scope: 'tree', keys: ['w'], help: 'Show what whiteouts and opaque directories in the compared range hide', label: 'Whiteouts' },
  { id: 'tree.fileHistory', scope: 'tree', keys: ['f'], help: 'Show every layer that touched the selected path', label: 'File history' },
  { id: 'tree.view', scope: 'tree', keys: ['v'], help: 'View the selected file as the selected layer has it (hex for binaries; / searches)', label: 'View' },
  { id: 'tree.extract', scope: 'tree', keys: ['ctrl+e'], help: "Extract the selected file or directory, as the selected layer's view has it, into the current directory", label: 'Extract' },
  { id: 'history.mark', scope: 'history', keys: ['space'], help: 'Mark the version under the cursor (again: unmark) to diff it with another', label: 'Mark' },
  { id: 'history.diff', scope: 'history', keys: ['d'], help: 'Diff the marked version with the one under the cursor (no mark: with the version before it)', label: 'Diff' },
  { id: 'history.view', scope: 'history', keys: ['v'], help: 'View the version under the cursor', label: 'View' },
] as const satisfies readonly { id: string; scope: Scope; keys: readonly string[]; help: string; label?: string }[];

export type CommandId = (typeof COMMANDS)[number]['id'];

export const COMMAND_IDS: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.id));
