import { type Keymap, selectStatusBar, type Verification, type AppState } from '../../viewmodel/index.js';
import type { Theme } from '../theme.js';
import { PaneLines } from './PaneLines.js';

export type StatusBarProps = { readonly keymap: Keymap; readonly state: AppState; readonly width: number; readonly theme: Theme; readonly verification?: Verification };

/** The keys that work in the focused pane, or a prompt, or the last message; marked while the image is being verified. */
export function StatusBar({ keymap, state, width, theme, verification }: StatusBarProps) {
  return <PaneLines lines={[selectStatusBar(keymap, state, width, verification)]} theme={theme} />;
}
