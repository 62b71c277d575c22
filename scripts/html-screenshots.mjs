#!/usr/bin/env node
// Renders screenshots/html-report.png and screenshots/html-diff.png from real runs: writes two
// small real-shaped images (scripts/synth-real-image.mjs, seeds 1 and 2), runs the built binary
// with --report html=FILE on one and `diff --report html=FILE` on both, opens the pages in
// headless Chromium through puppeteer-core and photographs them (the image report with its
// chown layer selected and a file's tooltip shown).
//
//   npm run build && node scripts/html-screenshots.mjs
//
// Needs chromium (apt-get install -y chromium); puppeteer-core never downloads a browser.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'cli.js');
const outDir = join(root, 'screenshots');
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!chromium) throw new Error('chromium is not installed (apt-get install -y chromium)');
if (!existsSync(main)) throw new Error('dist/cli.js is missing: run npm run build first');

const work = mkdtempSync(join(tmpdir(), 'inspect-tui-html-shots-'));
const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
const { writeImage } = await import(pathToFileURL(join(root, 'scripts', 'synth-real-image.mjs')).href);
writeImage(join(work, 'app.tar'), { scale: 0.01, seed: 1 });
writeImage(join(work, 'app-next.tar'), { scale: 0.01, seed: 2 });
const run = (args) => {
  try {
    execFileSync(process.execPath, [main, ...args], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
  } catch (e) {
    if (e.status !== 1) throw e; // 1: a rule failed, the report is written all the same
  }
};
run(['--ci', '--quiet', '--report', 'html=app.html', 'app.tar']);
run(['diff', '--quiet', '--report', 'html=diff.html', 'app.tar', 'app-next.tar']);

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--font-render-hinting=none'],
});
try {
  const shoot = async (html, png, act) => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 980, deviceScaleFactor: 1 });
    await page.setRequestInterception(true);
    page.on('request', (r) => (r.isNavigationRequest() ? r.continue() : r.abort()));
    await page.goto(pathToFileURL(join(work, html)).href, { waitUntil: 'load' });
    await page.waitForSelector('svg.map rect.leaf');
    await act?.(page);
    await page.screenshot({ path: join(outDir, png) });
    await page.close();
    console.log(`screenshots/${png}`);
  };
  await shoot('app.html', 'html-report.png', async (page) => {
    // the `chown -R` layer: everything it rewrote lights up as modified
    const chown = await page.$$eval('button[data-layer]', (bs) => bs.find((b) => b.textContent?.includes('chown'))?.getAttribute('data-layer'));
    if (chown) await page.click(`button[data-layer="${chown}"]`);
    const r = await page.$eval('svg.map rect.leaf[data-state="modified"]', (e) => {
      const b = e.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    });
    await page.mouse.move(r.x, r.y);
  });
  await shoot('diff.html', 'html-diff.png');
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
