import { type AppState, selectFileHistoryPane, type ViewData, type Layout, selectCursorPath, selectTreeReady } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileHistoryPaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** Every layer that added, changed, chmod-chowned or removed the path under the cursor (while the tree is built, the path the cursor was on). */
export function FileHistoryPane({ data, state, layout, theme }: FileHistoryPaneProps) {
  const pathId = selectTreeReady(data, state) ? selectCursorPath(data, state) : state.tree.cursorPath;
  return <Pane view={selectFileHistoryPane(data, state, pathId, layout)} width={layout.rightWidth} theme={theme} />;
}
