import { type AppState, selectImageDetails, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type ImageDetailsProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The whole image: reference, total size, wasted space, efficiency, inefficient files. */
export function ImageDetails({ data, state, layout, theme }: ImageDetailsProps) {
  return <Pane view={selectImageDetails(data, state, layout)} width={layout.leftWidth} theme={theme} />;
}
