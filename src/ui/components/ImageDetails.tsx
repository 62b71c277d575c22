import type { AppState } from '../../viewmodel/state.js';
import { selectImageDetails } from '../../viewmodel/rows.js';
import type { ViewData } from '../../viewmodel/view-data.js';
import type { Layout } from '../../viewmodel/layout.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type ImageDetailsProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The whole image: reference, total size, wasted space, efficiency, inefficient files. */
export function ImageDetails({ data, state, layout, theme }: ImageDetailsProps) {
  return <Pane view={selectImageDetails(data, state, layout)} width={layout.leftWidth} theme={theme} />;
}
