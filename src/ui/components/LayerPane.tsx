import { type AppState, selectLayerPane, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type LayerPaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** Layers: index, size, cleaned command; markers for the compared range and a marked base. */
export function LayerPane({ data, state, layout, theme }: LayerPaneProps) {
  return <Pane view={selectLayerPane(data, state, layout)} width={layout.leftWidth} theme={theme} />;
}
