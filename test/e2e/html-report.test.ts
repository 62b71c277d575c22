import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/core/index.js';
import { summarize } from '../../src/core/analyze.js';
import { imagesPage, imageView, renderHtmlReport } from '../../src/report/html/index.js';
import type { ComparisonPage, ImagesPage, ImageView } from '../../src/report/html/page-data.js';
import { writeDockerArchive } from '../cli/ci-fixtures.js';
import { buildAnalysis, dir as dirEntry, file as fileEntry } from '../helpers/build-analysis.js';
import { FIXTURES, ROOT, tmpDir } from '../helpers/image-files.js';
import { analyzeArg } from '../helpers/load.js';
import { NO_PACKAGE_TOOLS, packageImages, type PackageImages } from '../helpers/package-images.js';
import { runCli } from '../helpers/run-cli.js';
import { browserReady, closeBrowser, drawnLeaves, nodePath, openFile, pageData, type DrawnLeaf, type OpenedPage } from '../report/html/browser.js';

/**
 * The HTML report in a real browser (Debian's Chromium through puppeteer-core): written by the
 * built program, opened from a file:// URL, measured, clicked and typed at. Every test also
 * checks that the page made no request and raised no error, console error or CSP violation.
 */

const EDGE = FIXTURES && path.join(FIXTURES, 'images', 'edge.docker-archive.tar');
const OPAQUE = FIXTURES && path.join(FIXTURES, 'images', 'edge-opaque.oci-archive.tar');
const ready = browserReady('the HTML report in Chromium', EDGE, OPAQUE);

/** The map's drawing area in SVG user units (src/report/html/client/treemap.ts). */
const W = 1000;
const H = 560;

const STATE: Record<string, string> = { added: 'added', modified: 'modified', metadata: 'modified', unmodified: 'unmodified', removed: 'removed' };

/** Every drawn area is its bytes times one constant, within one unit of rounding per edge; together they fill the map. */
function expectAreasProportional(leaves: readonly DrawnLeaf[], bytes: number): void {
  const k = (W * H) / bytes;
  for (const l of leaves) {
    expect(l.x).toBeGreaterThanOrEqual(-0.01);
    expect(l.y).toBeGreaterThanOrEqual(-0.01);
    expect(l.x + l.width).toBeLessThanOrEqual(W + 0.01);
    expect(l.y + l.height).toBeLessThanOrEqual(H + 0.01);
    expect(Math.abs(l.width * l.height - l.bytes * k)).toBeLessThanOrEqual(l.width + l.height);
  }
  const area = leaves.reduce((s, l) => s + l.width * l.height, 0);
  expect(Math.abs(area - W * H)).toBeLessThanOrEqual(1);
  expect(leaves.reduce((s, l) => s + l.bytes, 0)).toBe(bytes);
}

/** Bytes of the regular files (and other non-directories) under `dir` in the final filesystem, from the analysis itself. */
function finalBytes(a: Analysis, dir = ''): number {
  const t = a.tree;
  const top = a.layers.length - 1;
  let sum = 0;
  for (let p = 1; p < t.pathCount; p++) {
    const e = t.entryAt(top, p);
    if (e && e.type !== 'dir' && (dir === '' || t.pathOf(p).startsWith(`${dir}/`))) sum += e.size;
  }
  return sum;
}

/** What layer `k` did to a path, from the analysis's file history. */
function stateAt(a: Analysis, absPath: string, k: number): string {
  const ev = a.tree.fileHistory(a.tree.find(absPath.slice(1))!).find((e) => e.layer === k);
  return ev ? STATE[ev.kind]! : 'none';
}

function expectClean(o: OpenedPage): void {
  expect(o.requests).toEqual([]);
  expect(o.problems).toEqual([]);
  expect(o.dialogs).toEqual([]);
}

describe.skipIf(!ready)('the HTML report of an image, in Chromium', () => {
  let dir: string;
  let o: OpenedPage;
  let analysis: Analysis;
  let data: ImageView;

  beforeAll(async () => {
    dir = tmpDir('inspect-tui-html-');
    const r = runCli(['--ci', '--quiet', '--report', 'html=report.html', EDGE!], { cwd: dir });
    expect(r.code, r.stderr).toBe(1); // the fixture fails dive's default efficiency rule
    analysis = (await analyzeArg(EDGE!)).analysis;
    o = await openFile(path.join(dir, 'report.html'));
    data = (await pageData<ImagesPage>(o.page)).images[0] as ImageView;
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it('draws the final filesystem with area proportional to bytes, every byte of it', async () => {
    const leaves = await drawnLeaves(o.page);
    expect(data.tree.threshold).toBe(0); // a small image: every file has its own rectangle
    expect(leaves.length).toBe(data.tree.kind.filter((k, i) => k === 1 && data.tree.bytes[i]! > 0).length);
    expectAreasProportional(leaves, finalBytes(analysis));
    // the largest file, by name, has its own area
    const big = leaves.find((l) => nodePath(data.tree, l.i) === '/data/big.bin')!;
    expect(big.bytes).toBe(524288);
    expectClean(o);
  });

  it('colours each file by the layer that last wrote it, and hatches the ones that replaced earlier copies', async () => {
    const leaves = await drawnLeaves(o.page);
    const t = analysis.tree;
    const top = analysis.layers.length - 1;
    for (const l of leaves) {
      const p = nodePath(data.tree, l.i);
      const writer = t.originOf(t.entryIdAt(top, t.find(p.slice(1))!)).layer;
      expect(l.state, p).toBe(`layer-${writer}`);
    }
    const hatched = await o.page.$$eval('svg.map rect.hatch', (r) => r.length);
    expect(hatched).toBe(data.tree.waste.filter((w) => w > 0).length);
    expect(hatched).toBeGreaterThan(0); // big.bin was written by L1 and again by L4 and L5
  });

  it('recolours the map to what a selected layer added, modified and removed (mouse), and back (keyboard)', async () => {
    const colour = (name: string) => o.page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(`--${n}`).trim(), name);
    for (const k of [4, 5, 1]) {
      await o.page.click(`button[data-layer="${k}"]`);
      expect(await o.page.$eval(`button[data-layer="${k}"]`, (b) => b.getAttribute('aria-pressed'))).toBe('true');
      const leaves = await drawnLeaves(o.page);
      for (const l of leaves) {
        const p = nodePath(data.tree, l.i);
        expect(l.state, `${p} at L${k}`).toBe(stateAt(analysis, p, k));
        expect(l.fill, `${p} at L${k}`).toBe(await colour(l.state));
      }
      const states = new Set(leaves.map((l) => l.state));
      // L4 writes big.bin again unchanged and adds /data/a/same; L5 changes both their modes or owners
      if (k === 4) expect([...states].sort()).toEqual(['added', 'none', 'unmodified']);
      if (k === 5) expect([...states].sort()).toEqual(['modified', 'none']);
      expect(await o.page.$eval('.legend', (e) => e.textContent)).toContain(`What L${k} did`);
    }
    // the layer details name what the layer removed that the map cannot show
    await o.page.click('button[data-layer="2"]');
    expect(await o.page.$eval('.layer-detail', (e) => e.textContent)).toContain('/data/a/f2');
    // back to colours by layer, from the keyboard
    await o.page.focus('button.all');
    await o.page.keyboard.press('Space');
    expect(await o.page.$eval('button.all', (b) => b.getAttribute('aria-pressed'))).toBe('true');
    expect((await drawnLeaves(o.page)).every((l) => l.state.startsWith('layer-'))).toBe(true);
    expectClean(o);
  });

  it('zooms into a directory on click, with the same area per byte within it, and out with the keyboard', async () => {
    const big = (await drawnLeaves(o.page)).find((l) => nodePath(data.tree, l.i) === '/data/big.bin')!;
    const box = await o.page.$eval('svg.map', (s) => {
      const r = s.getBoundingClientRect();
      return { x: r.x, y: r.y, scale: r.width / 1000 };
    });
    await o.page.mouse.move(box.x + (big.x + big.width / 2) * box.scale, box.y + (big.y + big.height / 2) * box.scale);
    // the tooltip names the file, its size, its layer
    const tip = await o.page.$eval('.tip', (e) => ({ hidden: (e as HTMLElement).hidden, text: e.textContent ?? '' }));
    expect(tip.hidden).toBe(false);
    expect(tip.text).toContain('/data/big.bin');
    expect(tip.text).toContain('524288 bytes');
    expect(tip.text).toContain('written by L5');
    await o.page.mouse.down();
    await o.page.mouse.up();
    expect(await o.page.$$eval('.crumbs button', (b) => b.map((x) => x.textContent))).toEqual(['/', 'data']);
    const inData = await drawnLeaves(o.page);
    expect(inData.every((l) => nodePath(data.tree, l.i).startsWith('/data/'))).toBe(true);
    expectAreasProportional(inData, finalBytes(analysis, 'data'));
    // keyboard: Tab from the last crumb reaches the entries of /data; arrows move; Escape goes back up
    await o.page.focus('.crumbs button:last-child');
    await o.page.keyboard.press('Tab');
    expect(await o.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^\/data\/\S+, /);
    await o.page.keyboard.press('ArrowRight');
    expect(await o.page.$$eval('svg.map rect.item[tabindex="0"]', (r) => r.length)).toBe(1);
    await o.page.keyboard.press('Escape');
    expect(await o.page.$$eval('.crumbs button', (b) => b.map((x) => x.textContent))).toEqual(['/']);
    expect(await o.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^\/data, .*Enter to zoom in/);
    await o.page.keyboard.press('Enter');
    expect(await o.page.$$eval('.crumbs button', (b) => b.map((x) => x.textContent))).toEqual(['/', 'data']);
    await o.page.click('.crumbs button');
    expectClean(o);
  });

  it('shows the findings with their fixes and the rule verdicts', async () => {
    const text = await o.page.$eval('#app', (e) => e.textContent ?? '');
    expect(text).toContain('Fix: ');
    expect(await o.page.$$eval('.finding', (f) => f.length)).toBe(data.findings.length);
    expect(text).toMatch(/lowestEfficiency\s*FAIL/);
    expect(text).toContain('FAIL');
    // the image has no package database: the section says so, and no file is said to have no owner
    expect(text).toContain('Packages by size');
    expect(text).toContain('No package found in the package databases.');
    expect(data.owners).toBeUndefined();
    expect(data.tree.owner).toBeUndefined();
  });

  it('gives every control an accessible name', async () => {
    const snap = await o.page.accessibility.snapshot({ interestingOnly: true });
    const unnamed: string[] = [];
    const walk = (n: { role: string; name?: string; children?: unknown[] } | null | undefined) => {
      if (!n) return;
      if (['button', 'link', 'tab', 'checkbox', 'textbox'].includes(n.role) && !n.name?.trim()) unnamed.push(JSON.stringify(n).slice(0, 200));
      for (const c of (n.children ?? []) as (typeof n)[]) walk(c);
    };
    walk(snap as never);
    expect(unnamed).toEqual([]);
    expect(await o.page.$$eval('button', (b) => b.length)).toBeGreaterThan(analysis.layers.length);
  });

  it('follows the colour scheme: dark when the system is dark', async () => {
    const dark = await openFile(path.join(dir, 'report.html'), { dark: true });
    try {
      const lum = (c: string) => {
        const m = /rgb\((\d+), (\d+), (\d+)/.exec(c)!;
        return (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) / 255;
      };
      expect(lum(await dark.page.$eval('body', (b) => getComputedStyle(b).backgroundColor))).toBeLessThan(0.2);
      expect(lum(await o.page.$eval('body', (b) => getComputedStyle(b).backgroundColor))).toBeGreaterThan(0.8);
      expect((await drawnLeaves(dark.page)).length).toBeGreaterThan(0);
      expectClean(dark);
    } finally {
      await dark.page.close();
    }
  });

  it('is under its Content-Security-Policy: no inline script runs, no request goes out, no markup from strings', async () => {
    const probe = await openFile(path.join(dir, 'report.html'));
    try {
      const tried = await probe.page.evaluate(async () => {
        const attempt = (f: () => void) => {
          try {
            f();
            return 'allowed';
          } catch (e) {
            return (e as Error).name;
          }
        };
        const script = attempt(() => {
          const s = document.createElement('script');
          s.textContent = 'window.ran = 1';
          document.body.appendChild(s);
        });
        const markup = attempt(() => document.body.insertAdjacentHTML('beforeend', '<b>x</b>'));
        const img = attempt(() => {
          const i = document.createElement('img');
          i.src = 'https://example.com/pixel.png';
          document.body.appendChild(i);
        });
        await new Promise((r) => setTimeout(r, 200));
        return { script, markup, img, ran: (window as unknown as { ran?: number }).ran ?? 0 };
      });
      // Trusted Types refuse script text and markup from strings; the image is created but its request refused
      expect(tried).toEqual({ script: 'TypeError', markup: 'TypeError', img: 'allowed', ran: 0 });
      expect(probe.problems.some((p) => /CSP violation: img-src https:\/\/example\.com/.test(p))).toBe(true);
      expect(probe.problems.filter((p) => p.includes('CSP violation: require-trusted-types-for')).length).toBeGreaterThanOrEqual(2);
      expect(probe.blockedByPolicy).toEqual(['https://example.com/pixel.png']);
    } finally {
      await probe.page.close();
    }
  });

  it('takes a screenshot', async () => {
    const file = path.join(dir, 'report.png');
    await o.page.screenshot({ path: file as `${string}.png` });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });
});

describe.skipIf(!ready)('the HTML report of a comparison, in Chromium', () => {
  let o: OpenedPage;
  let dir: string;
  beforeAll(async () => {
    dir = tmpDir('inspect-tui-html-diff-');
    const r = runCli(['diff', '--quiet', '--json', 'diff.json', '--report', 'html=diff.html', EDGE!, OPAQUE!], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    o = await openFile(path.join(dir, 'diff.html'));
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it("draws the size deltas: area proportional to each file's change, every changed byte", async () => {
    const exported = JSON.parse(readFileSync(path.join(dir, 'diff.json'), 'utf8')) as { files: { path: string; change: string; oldType: string | null; newType: string | null; oldSize: number | null; newSize: number | null }[] };
    const own = (type: string | null, size: number | null) => (type && type !== 'dir' ? (size ?? 0) : 0);
    const changed = exported.files.filter((f) => own(f.newType, f.newSize) !== own(f.oldType, f.oldSize));
    const bytes = changed.reduce((s, f) => s + Math.abs(own(f.newType, f.newSize) - own(f.oldType, f.oldSize)), 0);
    const leaves = await drawnLeaves(o.page);
    const data = await pageData<ComparisonPage>(o.page);
    expect(leaves.map((l) => nodePath(data.tree, l.i)).sort()).toEqual(changed.map((f) => f.path).sort());
    expectAreasProportional(leaves, bytes);
    // what grew and what shrank
    const only = leaves.find((l) => nodePath(data.tree, l.i) === '/data/only-this')!;
    expect(only.state).toBe('grow-added');
    expect(leaves.find((l) => nodePath(data.tree, l.i) === '/data/big.bin')!.state).toBe('shrink-removed');
    expectClean(o);
  });

  it('lists the aligned layers and the changed paths', async () => {
    const text = await o.page.$eval('#app', (e) => e.textContent ?? '');
    expect(text).toContain('12 layers shared');
    expect(text).toContain('/data/only-this');
    expect(text).toMatch(/new-only.*RUN rm -rf \/data/);
    expect(text).toContain('1 added, 10 removed, 0 modified');
    // neither image has a package database
    expect(text).toContain('Package changes');
    expect(text).toContain('No package differs.');
  });
});

describe.skipIf(!ready)('the HTML report of an image with hostile names, in Chromium', () => {
  const SCRIPT = 'app/<script>alert(1)</script>';
  const IMG = 'app/"><img src=x onerror=alert(2)>';
  const BIDI = 'app/invoice\u202etxt.exe';
  const SEP = 'app/line\u2028break';
  const LONG = `app/${'W'.repeat(240)}`;
  const COMMAND = `/bin/sh -c echo "</script><script>alert(3)</script>" '<!--' ${'x'.repeat(400)}`;
  let o: OpenedPage;
  let dir: string;
  beforeAll(async () => {
    dir = tmpDir('inspect-tui-html-hostile-');
    const image = path.join(dir, '"><img src=y onerror=alert(4)>.tar');
    await writeDockerArchive(
      image,
      [
        [{ name: 'app/', type: 'directory' }, { name: SCRIPT, body: 'a'.repeat(3000) }, { name: IMG, body: 'b'.repeat(2000) }, { name: BIDI, body: 'c'.repeat(1500) }],
        [{ name: SEP, body: 'd'.repeat(1000) }, { name: LONG, body: 'e'.repeat(800) }, { name: IMG, body: 'B'.repeat(2100) }],
      ],
      { commands: ['/bin/sh -c #(nop) ADD file:<b>bold</b> in /', COMMAND] },
    );
    const r = runCli(['--ci', '--quiet', '--report', 'html=hostile.html', path.basename(image)], { cwd: dir });
    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    o = await openFile(path.join(dir, 'hostile.html'), { width: 1200, height: 900 });
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it('runs no script of the image, opens no dialog and makes no request', async () => {
    // hover and click through every rectangle and layer: tooltips and details draw the names too
    const leaves = await drawnLeaves(o.page);
    const box = await o.page.$eval('svg.map', (s) => {
      const r = s.getBoundingClientRect();
      return { x: r.x, y: r.y, scale: r.width / 1000 };
    });
    for (const l of leaves) await o.page.mouse.move(box.x + (l.x + l.width / 2) * box.scale, box.y + (l.y + l.height / 2) * box.scale);
    for (const b of await o.page.$$('button[data-layer]')) await b.click();
    expectClean(o);
  });

  it('adds no element the page does not make itself', async () => {
    expect(await o.page.$$eval('img, iframe, object, embed, link, base, form, a', (e) => e.length)).toBe(0);
    expect(await o.page.$$eval('script', (s) => s.map((x) => x.getAttribute('type') ?? 'js'))).toEqual(['application/json', 'js']);
    const tags = await o.page.$$eval('#app *', (els) => [...new Set(els.map((e) => e.tagName.toLowerCase()))]);
    const allowed = new Set(['div', 'span', 'h1', 'h2', 'h3', 'p', 'section', 'article', 'nav', 'footer', 'button', 'ol', 'ul', 'li', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'details', 'summary', 'b', 'strong', 'svg', 'defs', 'pattern', 'g', 'rect', 'text']);
    expect(tags.filter((t) => !allowed.has(t))).toEqual([]);
    // no attribute that runs script anywhere
    expect(await o.page.$$eval('*', (els) => els.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)))).toEqual([]);
  });

  it('shows the names as text, with the controls escaped', async () => {
    const data = await pageData<ImagesPage>(o.page);
    const v = data.images[0] as ImageView;
    const leaves = await drawnLeaves(o.page);
    const paths = leaves.map((l) => nodePath(v.tree, l.i)).sort();
    // names are cut to 120 characters
    expect(paths).toEqual(['/app/"><img src=x onerror=alert(2)>', `/app/${'W'.repeat(119)}…`, '/app/<script>alert(1)</script>', '/app/invoice\\u202etxt.exe', '/app/line\\u2028break'].sort());
    const text = await o.page.$eval('#app', (e) => e.textContent ?? '');
    expect(text).toContain('"><img src=y onerror=alert(4)>.tar');
    expect(text).toContain('echo "</script><script>alert(3)</script>"');
    expect(text).toContain('ADD file:<b>bold</b> in /');
    expect(text).not.toMatch(/[\u202e\u2028]/);
  });

  it('keeps the layout: nothing wider than the window, the map its own size', async () => {
    const m = await o.page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      map: document.querySelector('svg.map')!.getBoundingClientRect().width,
      box: document.querySelector('.map-area')!.getBoundingClientRect().width,
    }));
    expect(m.scroll).toBeLessThanOrEqual(m.inner);
    expect(m.map).toBeGreaterThan(m.box / 2);
    const leaves = await drawnLeaves(o.page);
    expectAreasProportional(leaves, 3000 + 2100 + 1500 + 1000 + 800);
  });
});

describe.skipIf(!ready)('facts that are known only sometimes, in Chromium: owners, packages, Dockerfile lines', () => {
  let o: OpenedPage;
  let analysis: Analysis;
  beforeAll(async () => {
    // The page of the same fixture, rendered in-process with the facts the package databases and
    // a Dockerfile would give (made up here: this image has no package database).
    analysis = (await analyzeArg(EDGE!)).analysis;
    const view = imageView(analysis, summarize(analysis), {
      provenance: {
        ownerOf: (p) => (p.startsWith('/bin/') || p.startsWith('/usr/bin/') ? 'apk busybox 1.36.1-r2' : undefined),
        packages: [
          { manager: 'apk', name: 'busybox', version: '1.36.1-r2', layer: 0, files: 3, sizeBytes: 2_000_000 },
          { manager: 'apk', name: 'musl', version: '1.2.4-r2', layer: 0, files: 2, sizeBytes: 600_000 },
        ],
        layerSources: analysis.layers.map((l) => (l.index === 4 ? { file: 'Containerfile', line: 8, endLine: 8 } : null)),
      },
    });
    const client = readFileSync(path.join(ROOT, 'dist', 'page-client.js'), 'utf8');
    const file = path.join(tmpDir('inspect-tui-html-facts-'), 'facts.html');
    writeFileSync(file, renderHtmlReport(imagesPage([view]), client));
    o = await openFile(file);
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it('shows the packages by size, the owner of a file and the Dockerfile line of a layer when they are known', async () => {
    const text = await o.page.$eval('#app', (e) => e.textContent ?? '');
    expect(text).toContain('Packages by size');
    expect(await o.page.$$eval('section[aria-labelledby$="-packages"] tbody tr', (r) => r.map((x) => x.textContent))).toEqual([
      expect.stringContaining('busybox'),
      expect.stringContaining('musl'),
    ]);
    expect(await o.page.$eval('button[data-layer="4"]', (b) => b.textContent)).toContain('Containerfile:8');
    await o.page.click('button[data-layer="4"]');
    expect(await o.page.$eval('.layer-detail', (e) => e.textContent)).toContain('Dockerfile: Containerfile:8');
    // the tooltip of /bin/busybox names its package
    const data = (await pageData<ImagesPage>(o.page)).images[0] as ImageView;
    const leaf = (await drawnLeaves(o.page)).find((l) => nodePath(data.tree, l.i) === '/bin/busybox')!;
    const box = await o.page.$eval('svg.map', (s) => {
      const r = s.getBoundingClientRect();
      return { x: r.x, y: r.y, scale: r.width / 1000 };
    });
    await o.page.mouse.move(box.x + (leaf.x + leaf.width / 2) * box.scale, box.y + (leaf.y + leaf.height / 2) * box.scale);
    expect(await o.page.$eval('.tip', (e) => e.textContent)).toContain('owner: apk busybox 1.36.1-r2');
    expectClean(o);
  });
});

const packagesReady = browserReady('the HTML report of images with packages') && NO_PACKAGE_TOOLS === undefined;
if (NO_PACKAGE_TOOLS) console.warn(`the HTML report of images with packages: ${NO_PACKAGE_TOOLS}`);

describe.skipIf(!packagesReady)('the packages and owners real dpkg and npm wrote, in the HTML report in Chromium', () => {
  // Images whose databases dpkg, npm (and rpm, when rpmbuild is there) wrote: test/helpers/package-images.ts.
  let im: PackageImages;
  let dir: string;
  let image: OpenedPage;
  let diff: OpenedPage;
  beforeAll(async () => {
    im = await packageImages();
    dir = tmpDir('inspect-tui-html-packages-');
    const env = { XDG_CACHE_HOME: tmpDir('inspect-tui-html-packages-cache-') };
    const r = runCli(['--ci', '--quiet', '--report', 'html=image.html', im.new.gzip], { cwd: dir, env });
    expect([0, 1], r.stderr).toContain(r.code);
    const d = runCli(['diff', '--quiet', '--report', 'html=diff.html', '--json', 'diff.json', im.old.plain, im.new.plain], { cwd: dir, env });
    expect(d.code, d.stderr).toBe(0);
    image = await openFile(path.join(dir, 'image.html'));
    diff = await openFile(path.join(dir, 'diff.html'));
  }, 180_000);
  afterAll(async () => {
    await image?.page.close();
    await diff?.page.close();
    await closeBrowser();
  });

  it('lists the packages by size, as the tools installed them', async () => {
    const bySize = [...im.expected.new].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.name < b.name ? -1 : 1));
    const rows = await image.page.$$eval('section[aria-labelledby$="-packages"] tbody tr', (r) => r.map((x) => Array.from(x.querySelectorAll('td'), (c) => c.textContent)));
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[4]])).toEqual(bySize.map((p) => [p.manager, p.name, p.version, `L${p.layer}`, String(p.files)]));
    expectClean(image);
  });

  it('names the package that owns a file in the map: dpkg\'s list, an npm package\'s directory, none for a file no package claims', async () => {
    const data = (await pageData<ImagesPage>(image.page)).images[0] as ImageView;
    expect(data.owners).toBeDefined();
    const t = data.tree;
    const ownerOf = (p: string) => {
      const i = t.name.findIndex((_, k) => t.kind[k] === 1 && nodePath(t, k) === p);
      expect(i, p).toBeGreaterThan(0);
      return t.owner![i]! >= 0 ? data.owners![t.owner![i]!] : null;
    };
    expect(ownerOf('/usr/bin/tool')).toBe('dpkg pkg-tool 2.1');
    expect(ownerOf('/usr/lib/libx.so.1')).toBe('dpkg pkg-lib 1.4');
    expect(ownerOf('/app/node_modules/pkg-c/index.js')).toBe('npm pkg-c 3.0.0');
    expect(ownerOf('/app/package.json')).toBeNull();
    // the tooltip over /usr/bin/tool says so
    const leaf = (await drawnLeaves(image.page)).find((l) => nodePath(t, l.i) === '/usr/bin/tool')!;
    const box = await image.page.$eval('svg.map', (s) => {
      const r = s.getBoundingClientRect();
      return { x: r.x, y: r.y, scale: r.width / 1000 };
    });
    await image.page.mouse.move(box.x + (leaf.x + leaf.width / 2) * box.scale, box.y + (leaf.y + leaf.height / 2) * box.scale);
    expect(await image.page.$eval('.tip', (e) => e.textContent)).toContain('owner: dpkg pkg-tool 2.1');
    expectClean(image);
  });

  it('a comparison lists the packages that differ as diff --json does: upgraded, downgraded, changed at the same version, added, removed', async () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'diff.json'), 'utf8')) as { packages: { manager: string; name: string; change: string; old: string | null; new: string | null; sizeDeltaBytes: number }[] };
    const rows = await diff.page.$$eval('section[aria-labelledby="diff-packages"] tbody tr', (r) => r.map((x) => Array.from(x.querySelectorAll('td'), (c) => c.textContent)));
    const expected = [...json.packages]
      .sort((a, b) => Math.abs(b.sizeDeltaBytes) - Math.abs(a.sizeDeltaBytes) || (a.name < b.name ? -1 : 1))
      .map((p) => [p.change, p.manager, p.name, p.old ?? '—', p.new ?? '—']);
    expect(rows.map((r) => r.slice(0, 5))).toEqual(expected);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['upgraded', 'downgraded', 'changed', 'added', 'removed']));
    // the same version whose bytes changed at the same size is found through its files
    expect(rows.map((r) => r.slice(0, 5))).toContainEqual(['changed', 'dpkg', 'pkg-edit', '1.0', '1.0']);
    expectClean(diff);
  });
});

describe.skipIf(!ready)('one HTML report for several images, in Chromium', () => {
  let o: OpenedPage;
  beforeAll(async () => {
    const dir = tmpDir('inspect-tui-html-glob-');
    copyFileSync(EDGE!, path.join(dir, 'a-edge.tar'));
    writeFileSync(path.join(dir, 'b-broken.tar'), 'not an image');
    const r = runCli(['--ci', '--quiet', '--report', 'html=all.html', '*.tar'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2); // one image could not be read: reported, and exit 2
    o = await openFile(path.join(dir, 'all.html'));
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it('has a tab per image, the unreadable one with its reason', async () => {
    const tabs = await o.page.$$eval('[role="tab"]', (t) => t.map((x) => [x.textContent, x.getAttribute('aria-selected')]));
    expect(tabs).toEqual([
      ['docker-archive:a-edge.tar', 'true'],
      ['b-broken.tar', 'false'],
    ]);
    expect(await o.page.$$eval('svg.map rect.leaf', (r) => r.length)).toBeGreaterThan(0);
    await o.page.click('#tab1');
    const text = await o.page.$eval('#panel', (e) => e.textContent ?? '');
    expect(text).toContain('UNREADABLE');
    expect(text).toContain('b-broken.tar');
    expect(await o.page.$$eval('svg.map', (r) => r.length)).toBe(0);
    await o.page.click('#tab0');
    expect(await o.page.$$eval('svg.map rect.leaf', (r) => r.length)).toBeGreaterThan(0);
    expectClean(o);
  });
});

describe.skipIf(!ready)('a map with small files folded, in Chromium', () => {
  let o: OpenedPage;
  let view: ImageView;
  beforeAll(async () => {
    // 400 files in 4 directories, then a layer that rewrites 10 files of lib/ and adds one big one;
    // a budget of 24 nodes folds the small files into one block per directory.
    const base = [dirEntry('lib'), dirEntry('bin'), dirEntry('doc'), dirEntry('etc')];
    for (const d of ['lib', 'bin', 'doc', 'etc']) for (let i = 0; i < 100; i++) base.push(fileEntry(`${d}/f${i}`, 100 + ((i * 37) % 900)));
    const next = Array.from({ length: 10 }, (_, i) => fileEntry(`lib/f${i}`, 100 + ((i * 37) % 900), { content: 'new' }));
    next.push(fileEntry('lib/big', 200_000));
    const a = buildAnalysis([{ command: 'ADD rootfs /', entries: base }, { command: 'RUN update lib', entries: next }]);
    view = imageView(a, summarize(a), { budget: 24 });
    const client = readFileSync(path.join(ROOT, 'dist', 'page-client.js'), 'utf8');
    const file = path.join(tmpDir('inspect-tui-html-folded-'), 'folded.html');
    writeFileSync(file, renderHtmlReport(imagesPage([view]), client));
    o = await openFile(file);
  }, 120_000);
  afterAll(async () => {
    await o?.page.close();
    await closeBrowser();
  });

  it('still draws every byte with one area per byte, the blocks counted', async () => {
    const t = view.tree;
    expect(t.threshold).toBeGreaterThan(0);
    const blocks = t.kind.flatMap((k, i) => (k === 2 ? [i] : []));
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const leaves = await drawnLeaves(o.page);
    expectAreasProportional(leaves, view.treeBytes);
    expect(view.treeBytes).toBe(200_000 + 4 * Array.from({ length: 100 }, (_, i) => 100 + ((i * 37) % 900)).reduce((s, x) => s + x, 0));
    expect(await o.page.$eval('.legend', (e) => e.textContent)).toMatch(/Files under .* are shown as one block per directory/);
  });

  it('shows a block of files faint when the selected layer touched only some of them', async () => {
    await o.page.click('button[data-layer="1"]');
    const leaves = await o.page.$$eval('svg.map rect.leaf', (r) => r.map((x) => ({ i: Number(x.getAttribute('data-i')), state: x.getAttribute('data-state'), opacity: x.getAttribute('fill-opacity') })));
    const t = view.tree;
    const libBlock = leaves.find((l) => t.kind[l.i] === 2 && nodePath(t, l.i) === '/lib')!;
    const touched = 10 - t.kind.filter((k, i) => k === 1 && /^\/lib\/f\d$/.test(nodePath(t, i))).length; // rewritten files (f0–f9) left in the block
    expect(libBlock.state).toBe('modified');
    expect(Number(libBlock.opacity)).toBeCloseTo(0.25 + (0.75 * touched) / t.count[libBlock.i]!, 3);
    // a block the layer did not touch, and the big file it added, are drawn in full
    const bin = leaves.find((l) => t.kind[l.i] === 2 && nodePath(t, l.i) === '/bin')!;
    expect([bin.state, bin.opacity]).toEqual(['none', null]);
    const big = leaves.find((l) => nodePath(t, l.i) === '/lib/big')!;
    expect([big.state, big.opacity]).toEqual(['added', null]);
    expectClean(o);
  });
});
