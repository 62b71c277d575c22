import { type AppState, selectTreePane, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileTreePaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The merged filesystem at the selected layer: only the rows that fit are drawn. */
export function FileTreePane({ data, state, layout, theme }: FileTreePaneProps) {
  return <Pane view={selectTreePane(data, state, layout)} width={layout.rightWidth} theme={theme} />;
}
