import type { Keymap } from '../../viewmodel/keymap.js';
import { selectStatusBar } from '../../viewmodel/rows.js';
import type { AppState } from '../../viewmodel/state.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type StatusBarProps = { readonly keymap: Keymap; readonly state: AppState; readonly width: number; readonly theme: Theme };

/** The keys that work in the focused pane, or a prompt, or the last message. */
export function StatusBar({ keymap, state, width, theme }: StatusBarProps) {
  return <PaneLines lines={[selectStatusBar(keymap, state, width)]} theme={theme} />;
}
