/** The themes live in the view model (`viewmodel/theme.ts`); the components take them from here. */
export { createTheme, wantsColor, type TextStyle, type Theme } from '../viewmodel/index.js';
