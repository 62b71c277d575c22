import type { AppState } from '../../viewmodel/state.js';
import { selectPendingTreePane, selectTreePane } from '../../viewmodel/rows.js';
import { selectTreeReady } from '../../viewmodel/tree-view.js';
import type { ViewData } from '../../viewmodel/view-data.js';
import type { Layout } from '../../viewmodel/layout.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileTreePaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The merged filesystem at the selected layer: only the rows that fit are drawn; a tree not built yet says so (the App builds it). */
export function FileTreePane({ data, state, layout, theme }: FileTreePaneProps) {
  const view = selectTreeReady(data, state) ? selectTreePane(data, state, layout) : selectPendingTreePane(data, state, layout);
  return <Pane view={view} width={layout.rightWidth} theme={theme} />;
}
