import type { AppState } from '../../viewmodel/state.js';
import { selectFileHistoryPane } from '../../viewmodel/rows.js';
import type { ViewData } from '../../viewmodel/view-data.js';
import type { Layout } from '../../viewmodel/layout.js';
import { selectCursorPath } from '../../viewmodel/tree-view.js';
import type { Theme } from '../theme.js';
import { Pane } from './Pane.js';

export type FileHistoryPaneProps = { readonly data: ViewData; readonly state: AppState; readonly layout: Layout; readonly theme: Theme };

/** Every layer that added, changed, chmod-chowned or removed the path under the cursor. */
export function FileHistoryPane({ data, state, layout, theme }: FileHistoryPaneProps) {
  const pathId = selectCursorPath(data, state);
  return <Pane view={selectFileHistoryPane(data, state, pathId, layout)} width={layout.rightWidth} theme={theme} />;
}
