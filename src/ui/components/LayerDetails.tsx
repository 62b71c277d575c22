import { type AppState, selectLayerDetails, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type LayerDetailsProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The selected layer: digest, diffID, sizes, media type, the full command wrapped. */
export function LayerDetails({ data, state, layout, theme }: LayerDetailsProps) {
  return <Pane view={selectLayerDetails(data, state, layout)} width={layout.leftWidth} theme={theme} />;
}
