import type { LanguageFn } from 'highlight.js';

/** One language the viewer highlights: its other names, the languages it embeds, and its grammar, imported on first use. */
export type LanguageEntry = {
  /** Other names and file extensions highlight.js gives it (`js`, `mjs`, …). */
  readonly aliases: readonly string[];
  /** Languages its grammar highlights inside it (`subLanguage`: the CSS and scripts of an HTML page); loaded with it. */
  readonly uses?: readonly string[];
  readonly load: () => Promise<{ readonly default: LanguageFn }>;
};

/**
 * The languages the viewer highlights: highlight.js's common set, the one lowlight's `common`
 * bundles, with the aliases highlight.js gives them (test/viewmodel/highlight-languages.test.ts
 * holds this table against lowlight's). Each grammar is a dynamic import of its own, so the
 * package's bundle keeps each in a chunk loaded the first time a file in that language is viewed.
 */
export const LANGUAGES: Readonly<Record<string, LanguageEntry>> = {
  arduino: { aliases: ['ino'], load: () => import('highlight.js/lib/languages/arduino') },
  bash: { aliases: ['sh', 'zsh'], load: () => import('highlight.js/lib/languages/bash') },
  c: { aliases: ['h'], load: () => import('highlight.js/lib/languages/c') },
  cpp: { aliases: ['cc', 'c++', 'h++', 'hpp', 'hh', 'hxx', 'cxx'], load: () => import('highlight.js/lib/languages/cpp') },
  csharp: { aliases: ['cs', 'c#'], load: () => import('highlight.js/lib/languages/csharp') },
  css: { aliases: [], load: () => import('highlight.js/lib/languages/css') },
  diff: { aliases: ['patch'], load: () => import('highlight.js/lib/languages/diff') },
  go: { aliases: ['golang'], load: () => import('highlight.js/lib/languages/go') },
  graphql: { aliases: ['gql'], load: () => import('highlight.js/lib/languages/graphql') },
  ini: { aliases: ['toml'], load: () => import('highlight.js/lib/languages/ini') },
  java: { aliases: ['jsp'], load: () => import('highlight.js/lib/languages/java') },
  javascript: { aliases: ['js', 'jsx', 'mjs', 'cjs'], uses: ['xml', 'css', 'graphql'], load: () => import('highlight.js/lib/languages/javascript') },
  json: { aliases: ['jsonc', 'json5'], load: () => import('highlight.js/lib/languages/json') },
  kotlin: { aliases: ['kt', 'kts'], load: () => import('highlight.js/lib/languages/kotlin') },
  less: { aliases: [], load: () => import('highlight.js/lib/languages/less') },
  lua: { aliases: ['pluto'], load: () => import('highlight.js/lib/languages/lua') },
  makefile: { aliases: ['mk', 'mak', 'make'], load: () => import('highlight.js/lib/languages/makefile') },
  markdown: { aliases: ['md', 'mkdown', 'mkd'], uses: ['xml'], load: () => import('highlight.js/lib/languages/markdown') },
  objectivec: { aliases: ['mm', 'objc', 'obj-c', 'obj-c++', 'objective-c++'], load: () => import('highlight.js/lib/languages/objectivec') },
  perl: { aliases: ['pl', 'pm'], load: () => import('highlight.js/lib/languages/perl') },
  php: { aliases: [], load: () => import('highlight.js/lib/languages/php') },
  'php-template': { aliases: [], uses: ['xml', 'php'], load: () => import('highlight.js/lib/languages/php-template') },
  plaintext: { aliases: ['text', 'txt'], load: () => import('highlight.js/lib/languages/plaintext') },
  python: { aliases: ['py', 'gyp', 'ipython'], load: () => import('highlight.js/lib/languages/python') },
  'python-repl': { aliases: ['pycon'], uses: ['python'], load: () => import('highlight.js/lib/languages/python-repl') },
  r: { aliases: [], load: () => import('highlight.js/lib/languages/r') },
  ruby: { aliases: ['rb', 'gemspec', 'podspec', 'thor', 'irb'], load: () => import('highlight.js/lib/languages/ruby') },
  rust: { aliases: ['rs'], load: () => import('highlight.js/lib/languages/rust') },
  scss: { aliases: [], load: () => import('highlight.js/lib/languages/scss') },
  shell: { aliases: ['console', 'shellsession'], uses: ['bash'], load: () => import('highlight.js/lib/languages/shell') },
  sql: { aliases: [], load: () => import('highlight.js/lib/languages/sql') },
  swift: { aliases: [], load: () => import('highlight.js/lib/languages/swift') },
  typescript: { aliases: ['ts', 'tsx', 'mts', 'cts'], uses: ['xml', 'css', 'graphql'], load: () => import('highlight.js/lib/languages/typescript') },
  vbnet: { aliases: ['vb'], load: () => import('highlight.js/lib/languages/vbnet') },
  wasm: { aliases: [], load: () => import('highlight.js/lib/languages/wasm') },
  xml: { aliases: ['html', 'xhtml', 'rss', 'atom', 'xjb', 'xsd', 'xsl', 'plist', 'wsf', 'svg'], uses: ['css', 'javascript'], load: () => import('highlight.js/lib/languages/xml') },
  yaml: { aliases: ['yml'], uses: ['ruby'], load: () => import('highlight.js/lib/languages/yaml') },
};

const BY_ALIAS = new Map<string, string>();
for (const [name, e] of Object.entries(LANGUAGES)) {
  BY_ALIAS.set(name, name);
  for (const a of e.aliases) BY_ALIAS.set(a, name);
}

/** The language a name or extension stands for (`js` → `javascript`), or undefined when the viewer does not highlight it. */
export function languageNamed(nameOrAlias: string): string | undefined {
  return BY_ALIAS.get(nameOrAlias.toLowerCase());
}
