import { type AppState, selectPendingTreePane, selectTreePane, selectTreeReady, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileTreePaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The merged filesystem at the selected layer: only the rows that fit are drawn; a tree not built yet says so (the App builds it). */
export function FileTreePane({ data, state, layout, theme }: FileTreePaneProps) {
  const view = selectTreeReady(data, state) ? selectTreePane(data, state, layout) : selectPendingTreePane(data, state, layout);
  return <Pane view={view} width={layout.rightWidth} theme={theme} />;
}
