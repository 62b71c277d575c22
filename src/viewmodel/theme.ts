/*
 * The colours of each semantic style in each theme, as Ink `<Text>` props: pure data, here in
 * the view model (not in ui/) so that the command line can choose the theme while Ink and React
 * are still loading (ui's door loads them).
 */
import type { ThemeName } from '../format/index.js';
import type { Style } from './segments.js';

/** Ink `<Text>` props for one semantic style. */
export type TextStyle = { color?: string; bold?: boolean; dimColor?: boolean; inverse?: boolean; underline?: boolean; strikethrough?: boolean };

/** Colours keyed by meaning. dive's diff colours: added green, removed red, modified yellow. */
export type Theme = {
  readonly color: boolean;
  style(s: Style | undefined): TextStyle;
  /** How the cursor row is drawn: in the focused pane, and in the other one. */
  selection(kind: 'focused' | 'unfocused'): TextStyle;
};

const COLORS: Partial<Record<Style, TextStyle>> = {
  added: { color: 'green' },
  removed: { color: 'red' },
  modified: { color: 'yellow' },
  hidden: { color: 'magenta', dimColor: true },
  title: { bold: true },
  'title-focused': { bold: true, color: 'cyan' },
  dim: { dimColor: true },
  key: { bold: true, color: 'cyan' },
  label: {},
  'label-off': { dimColor: true, underline: false },
  error: { color: 'red', bold: true },
  marker: { color: 'cyan' },
  header: { bold: true },
  'code-keyword': { color: 'magenta' },
  'code-string': { color: 'green' },
  'code-comment': { color: 'gray' },
  'code-number': { color: 'yellow' },
  'code-name': { color: 'blue' },
  'code-meta': { color: 'cyan' },
  gutter: { dimColor: true },
  match: { inverse: true, bold: true },
};

/**
 * Without colour only weight and dimness remain; diff kinds then rely on their symbols, and a
 * toggle that is off in the status bar is struck through.
 */
const MONO: Partial<Record<Style, TextStyle>> = {
  'label-off': { strikethrough: true },
  match: { inverse: true, bold: true },
  title: { bold: true },
  'title-focused': { bold: true },
  key: { bold: true },
  error: { bold: true },
  header: { bold: true },
};

/**
 * For a white background: dark variants of the diff colours, blue for what is cyan on the
 * dark theme (yellow and cyan on white are barely readable). Styles it does not name keep
 * the dark theme's.
 */
const LIGHT: Partial<Record<Style, TextStyle>> = {
  ...COLORS,
  added: { color: '#006400' },
  removed: { color: '#a00000' },
  modified: { color: '#8a4b00' },
  hidden: { color: '#7a007a' },
  'title-focused': { bold: true, color: 'blue' },
  key: { bold: true, color: 'blue' },
  marker: { color: 'blue' },
  error: { color: '#a00000', bold: true },
  'code-keyword': { color: '#7a007a' },
  'code-string': { color: '#006400' },
  'code-number': { color: '#8a4b00' },
  'code-name': { color: '#00308f' },
  'code-meta': { color: 'blue' },
};

/** Bold, bright, nothing dimmed; the cursor row inverted in both panes. */
const HIGH_CONTRAST: Partial<Record<Style, TextStyle>> = {
  ...COLORS,
  added: { color: 'greenBright', bold: true },
  removed: { color: 'redBright', bold: true },
  modified: { color: 'yellowBright', bold: true },
  hidden: { color: 'magentaBright', bold: true },
  title: { bold: true, color: 'whiteBright' },
  'title-focused': { bold: true, color: 'cyanBright', inverse: true },
  dim: { color: 'white' },
  key: { bold: true, color: 'cyanBright' },
  label: { color: 'whiteBright' },
  'label-off': { color: 'white', strikethrough: true },
  error: { color: 'redBright', bold: true, inverse: true },
  marker: { color: 'cyanBright', bold: true },
  header: { bold: true, color: 'whiteBright' },
  'code-keyword': { color: 'magentaBright', bold: true },
  'code-string': { color: 'greenBright' },
  'code-comment': { color: 'white' },
  'code-number': { color: 'yellowBright' },
  'code-name': { color: 'blueBright', bold: true },
  'code-meta': { color: 'cyanBright' },
  gutter: { color: 'white' },
};

const TABLES: Record<ThemeName, Partial<Record<Style, TextStyle>>> = { dark: COLORS, light: LIGHT, 'high-contrast': HIGH_CONTRAST };

/** A theme by name; without colour (NO_COLOR) every theme is the same monochrome one. */
export function createTheme(color: boolean, name: ThemeName = 'dark'): Theme {
  const table = color ? TABLES[name] : MONO;
  const strong = color && name === 'high-contrast';
  return {
    color,
    style: (s) => (s ? (table[s] ?? {}) : {}),
    selection: (kind) => (kind === 'focused' ? (strong ? { inverse: true, bold: true } : { inverse: true }) : strong ? { inverse: true } : { underline: true }),
  };
}

/**
 * Whether to colour: NO_COLOR (any non-empty value, no-color.org) turns colour off unless
 * FORCE_COLOR asks for it.
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
