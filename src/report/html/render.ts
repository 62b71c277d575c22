import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BugError } from '../../errors/index.js';
import type { PageData } from './page-data.js';
import { PAGE_STYLE } from './style.js';

/**
 * The HTML report: one self-contained file that works offline. The page is a skeleton, the
 * report's data as an inert JSON block, and the page's own script (the bundled `client/`, with
 * d3-hierarchy) that draws everything from the data with DOM text nodes — no markup is ever
 * built from a string of the image. A Content-Security-Policy forbids every request and allows
 * only this script and this style, by their sha256, and Trusted Types forbids string-to-markup
 * sinks, so a name that slipped through could still not run.
 */

/** `&`, `<`, `>`, `"` and `'` as entities: text safe in an element or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside a `<script>` element: `</` written `<\/` (no end tag can start) and
 * `<!` written `\u003c!` (no comment opener: the script-data escape states are never entered);
 * the line separators U+2028/U+2029 as `\u` escapes too. Other `<` stay as they are, so a name
 * full of them does not grow six-fold. `JSON.parse` reads the same value back.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/<\//g, '<\\/')
    .replace(/<!/g, '\\u003c!')
    .replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The policy of the page: nothing from the network, only the page's own script and style. */
export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/**
 * The page for `data`, with `client` (the page script, see `readPageClient`) inlined.
 * Deterministic: the same data and script give the same bytes.
 */
export function renderHtmlReport(data: PageData, client: string): string {
  if (/<\/script|<!--/i.test(client)) throw new BugError('the page script contains "</script" or "<!--" and cannot be inlined');
  const title = data.kind === 'comparison' ? `${data.old.reference} → ${data.new.reference}` : data.images.map((i) => i.kind === 'analysed' ? i.identity.reference : i.reference).join(', ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(client, PAGE_STYLE))}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(`${data.kind === 'comparison' ? 'Comparison' : 'Image report'}: ${title.length > 200 ? `${title.slice(0, 199)}…` : title}`)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<noscript><p class="noscript">This report draws itself with its own inline script; allow scripts for this file to see it.</p></noscript>',
    '<div id="app"></div>',
    `<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>`,
    `<script>${client}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Where the bundled page script is: beside this module once built (`npm run build` writes it
 * beside tsc's output and beside the package's bundle, whose chunks all lie in one folder); the
 * single executable carries it as an asset of this name.
 */
export const PAGE_CLIENT_FILE = 'page-client.js';

/** Set by the bundler (scripts/build.mjs): 'npm' for the package's bundle, 'sea' for the single executable; undeclared when unbundled. */
declare const INSPECT_TUI_BUNDLE: 'npm' | 'sea' | undefined;

let cached: string | undefined;

/**
 * The bundled page script, read once from beside this module (or the single executable's
 * asset). A missing file is a packaging fault (the build writes it), reported as such.
 */
export function readPageClient(): string {
  if (cached !== undefined) return cached;
  if (typeof INSPECT_TUI_BUNDLE !== 'undefined' && INSPECT_TUI_BUNDLE === 'sea') return (cached = process.getBuiltinModule('node:sea').getAsset(PAGE_CLIENT_FILE, 'utf8'));
  const file = fileURLToPath(new URL(`./${PAGE_CLIENT_FILE}`, import.meta.url));
  try {
    cached = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BugError(`the HTML report's page script is missing (${PAGE_CLIENT_FILE} beside ${fileURLToPath(import.meta.url)}): rebuild with npm run build`, { cause: e });
  }
  return cached;
}
