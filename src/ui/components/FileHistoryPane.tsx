import { type AppState, selectFileHistoryPane, type ViewData, type Layout, selectCursorPath } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileHistoryPaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** Every layer that added, changed, chmod-chowned or removed the path under the cursor. */
export function FileHistoryPane({ data, state, layout, theme }: FileHistoryPaneProps) {
  const pathId = selectCursorPath(data, state);
  return <Pane view={selectFileHistoryPane(data, state, pathId, layout)} width={layout.rightWidth} theme={theme} />;
}
