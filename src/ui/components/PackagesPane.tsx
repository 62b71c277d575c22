import { type AppState, selectPackagesPane, type ViewData, type Layout } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type PackagesPaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** The packages of the selected layer or range (a comparison: the packages that differ), over the file tree while open. */
export function PackagesPane({ data, state, layout, theme }: PackagesPaneProps) {
  return <Pane view={selectPackagesPane(data, state, layout)} width={layout.rightWidth} theme={theme} />;
}
