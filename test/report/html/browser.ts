import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * Debian's Chromium, driven by puppeteer-core (which never downloads a browser), for the HTML
 * report's tests: the page is opened from a file:// URL in a fresh profile, and everything it
 * tries to fetch, every script error, console error and Content-Security-Policy violation is
 * recorded.
 */

/** The browser binary, or undefined when none is installed (the tests then skip). */
export const CHROMIUM: string | undefined = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));

/** Why the browser tests are skipped, for the skip message. */
export const NO_CHROMIUM = 'skipped: chromium is not installed (apt-get install chromium)';

export type OpenedPage = {
  readonly page: Page;
  /** Every request the page made besides loading its own file, even one its policy then blocked (there must be none). */
  readonly requests: string[];
  /** Requests the browser refused under the page's Content-Security-Policy before they went out. */
  readonly blockedByPolicy: string[];
  /** Uncaught exceptions, console errors and warnings, CSP violations, dialogs. */
  readonly problems: string[];
  /** Dialogs (alert, confirm, prompt) the page opened; each is dismissed. */
  readonly dialogs: string[];
};

let shared: { browser: Browser; profile: string } | undefined;

/** One headless Chromium for a test file (fresh profile, no sandbox: CI runs as root). */
export async function launch(): Promise<Browser> {
  if (shared) return shared.browser;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
  shared = { browser, profile };
  return browser;
}

/** Closes the browser and removes its profile. */
export async function closeBrowser(): Promise<void> {
  if (!shared) return;
  const { browser, profile } = shared;
  shared = undefined;
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

/** Opens an HTML file in a new page of the given size and waits for it to draw. */
export async function openFile(file: string, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<OpenedPage> {
  const browser = await launch();
  const page = await browser.newPage();
  await page.setViewport({ width: opts.width ?? 1400, height: opts.height ?? 1000, deviceScaleFactor: 1 });
  if (opts.dark) await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  const blockedByPolicy: string[] = [];
  const urls = new Map<string, string>();
  // Every request the page makes goes through here: only its own file may load.
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url && r.isNavigationRequest()) return void r.continue();
    requests.push(r.url());
    void r.abort();
  });
  // The protocol's own view, for what interception may not see (data: URLs, preloads, pings).
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  await cdp.send('Log.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    if (e.request.url !== url) requests.push(e.request.url);
  });
  cdp.on('Network.loadingFailed', (e) => {
    if (e.blockedReason === 'csp') blockedByPolicy.push(urls.get(e.requestId) ?? e.requestId);
  });
  cdp.on('Log.entryAdded', (e) => {
    if (e.entry.level === 'error' || e.entry.level === 'warning') problems.push(`log ${e.entry.source}: ${e.entry.text}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  // CSP violations are also reported to the page as events: record them before any script runs.
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#app > *');
  return { page, requests, blockedByPolicy, problems, dialogs };
}

/** True when the browser tests can run; otherwise says why they are skipped. */
export function browserReady(what: string, ...files: (string | undefined)[]): boolean {
  const missing = files.some((f) => !f || !existsSync(f));
  if (!CHROMIUM || missing) console.warn(`skipping ${what}: ${CHROMIUM ? 'no fixture at ../shared/fixtures' : NO_CHROMIUM}`);
  return !!CHROMIUM && !missing;
}

/** One drawn rectangle of the treemap: its node, its bytes and its box in SVG user units (getBBox). */
export type DrawnLeaf = { i: number; bytes: number; x: number; y: number; width: number; height: number; state: string; fill: string };

/** The treemap's drawn leaves, measured by the browser. */
export async function drawnLeaves(page: Page, map = 'svg.map'): Promise<DrawnLeaf[]> {
  return page.$$eval(`${map} rect.leaf`, (rects) =>
    rects.map((r) => {
      const b = (r as SVGRectElement).getBBox();
      return { i: Number(r.getAttribute('data-i')), bytes: Number(r.getAttribute('data-bytes')), x: b.x, y: b.y, width: b.width, height: b.height, state: r.getAttribute('data-state') ?? '', fill: r.getAttribute('fill') ?? '' };
    }),
  );
}

/** The report's data, read back from the page's JSON block. */
export async function pageData<T>(page: Page): Promise<T> {
  return page.$eval('#report-data', (s) => JSON.parse(s.textContent ?? 'null')) as Promise<T>;
}

/** The path of node `i` of a size tree (`/usr/lib`; an aggregate's directory). */
export function nodePath(tree: { name: readonly string[]; parent: readonly number[]; kind: readonly number[] }, i: number): string {
  const parts: string[] = [];
  for (let x = i; x > 0; x = tree.parent[x]!) if (tree.kind[x] !== 2) parts.unshift(tree.name[x]!);
  return `/${parts.join('/')}`;
}
