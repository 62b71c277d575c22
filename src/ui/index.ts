/**
 * The inspector's Ink components: the app, the loading screen and its progress store, the theme
 * and the viewport hook. Thin: what they show comes from the view model. The only module other
 * folders import from `ui/`.
 */
export { App } from './App.js';
export { createProgressStore, Loading } from './Loading.js';
export type { LoadProgress, ProgressStore } from './Loading.js';
export type { Completer } from './hooks/use-completion.js';
export { useViewport } from './hooks/use-viewport.js';
export { createTheme, wantsColor } from './theme.js';
export type { Theme } from './theme.js';
