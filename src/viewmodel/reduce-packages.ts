import { sanitize } from '../format/index.js';
import { moveCursor, placeCursor, scrollWindow } from './cursor.js';
import { DEFAULT_PACKAGES_PANE, selectPackageRows, selectPackagesWindow } from './packages-view.js';
import type { PaneReducer } from './pane.js';
import type { AppState, PackagesPaneState } from './state.js';
import { reveal } from './reduce-tree.js';
import { selectTreeView } from './tree-view.js';
import { pathsOf, type ViewData } from './view-data.js';

/**
 * The packages pane (`p`): it opens over the file tree with the focus, `p` or Esc closes it;
 * the cursor moves through the packages, Ctrl+O sorts by size or name, `/` (or the filter key)
 * types a filter, and Enter narrows the file tree to the selected package's files (Esc in the
 * tree shows all files again).
 */

const paneOf = (s: AppState): PackagesPaneState => s.packages ?? DEFAULT_PACKAGES_PANE;
const withPane = (s: AppState, patch: Partial<PackagesPaneState>): AppState => ({ ...s, packages: { ...paneOf(s), ...patch } });

/** `p`: opens the pane (its cursor on the package the tree is narrowed to, if any), or closes it. */
function toggle(d: ViewData, s: AppState): AppState {
  const pane = paneOf(s);
  if (pane.open) return { ...withPane(s, { open: false, editing: false }), focus: s.focus === 'packages' ? 'tree' : s.focus };
  const opened = { ...withPane(s, { open: true }), focus: 'packages' as const };
  const narrowed = s.tree.package?.key;
  if (narrowed === undefined) return opened;
  const at = selectPackageRows(d, opened).findIndex((r) => r.key === narrowed);
  return at < 0 ? opened : withPane(opened, { cursor: at });
}

/** Enter: the tree shows only the selected package's files (and their directories). */
function showFiles(d: ViewData, s: AppState): AppState {
  const w = selectPackagesWindow(d, s);
  const r = w.rows[w.cursor];
  if (!r) return s;
  const label = `${r.manager} ${r.name}`;
  const next: AppState = {
    ...withPane(s, { open: false, editing: false }),
    focus: 'tree',
    tree: { ...s.tree, package: { key: r.key, label }, scroll: 0 },
    message: { text: `the files of ${sanitize(label)} (Esc: all files, p: the packages)`, tone: 'info' },
  };
  // The cursor on the package's first file (directories are there only to hold them).
  const v = selectTreeView(d, next);
  const { order, end } = v.ti;
  for (let pos = 0; pos < order.length; pos++) if (end[pos] === pos + 1) return { ...next, tree: { ...next.tree, cursorPath: order[pos]!, collapse: reveal(pathsOf(d), next.tree.collapse, order[pos]!) } };
  return next;
}

/** Esc in the tree while it shows one package's files: all files again. */
export function clearPackageFocus(s: AppState): AppState {
  const { package: _p, ...tree } = s.tree;
  return { ...s, tree, message: { text: 'all files again', tone: 'info' } };
}

/** A click on a row of the pane: the cursor there. */
export function selectPackageRow(d: ViewData, s: AppState, row: number): AppState {
  const w = selectPackagesWindow(d, s);
  if (row < 0 || row >= w.rows.length) return s;
  return withPane(s, placeCursor({ cursor: w.cursor, scroll: w.scroll }, row, w.rows.length, w.height));
}

export const packagesPane: PaneReducer = {
  command(d, s, id) {
    switch (id) {
      case 'app.packages':
        return toggle(d, s);
      case 'packages.show':
        return showFiles(d, s);
      case 'packages.toggleSort':
        return withPane(s, { sort: paneOf(s).sort === 'size' ? 'name' : 'size', cursor: 0, scroll: 0 });
      case 'search.open':
      case 'filter.open':
        // In the pane, the search and filter keys type the packages' filter.
        return s.focus === 'packages' && paneOf(s).open ? withPane(s, { editing: true }) : undefined;
      default:
        return undefined;
    }
  },
  cursor(d, s, verb) {
    const w = selectPackagesWindow(d, s);
    if (w.rows.length === 0) return s;
    return withPane(s, moveCursor({ cursor: w.cursor, scroll: w.scroll }, verb, w.rows.length, w.height));
  },
  wheel(d, s, delta) {
    const w = selectPackagesWindow(d, s);
    if (w.rows.length === 0) return s;
    return withPane(s, scrollWindow({ cursor: w.cursor, scroll: w.scroll }, delta, w.rows.length, w.height));
  },
  refit(d, s) {
    if (!s.packages) return s;
    const w = selectPackagesWindow(d, s);
    return withPane(s, { cursor: w.cursor, scroll: w.scroll });
  },
};
