import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadComparison, loadImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { interpretMouse } from '../../src/viewmodel/mouse.js';
import { selectFindingsLines } from '../../src/viewmodel/findings-view.js';
import { selectPackageRows, selectPackagesNotice, selectPackagesPane } from '../../src/viewmodel/packages-view.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectLayerDetails, selectOverlayLines, selectStatusBar, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createComparisonState, createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { selectTreeView } from '../../src/viewmodel/tree-view.js';
import { comparisonView, imageView, type ComparisonView, type ImageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { localSettings } from '../helpers/load.js';
import { NO_PACKAGE_TOOLS, packageImages, type PackageImages } from '../helpers/package-images.js';

// The packages pane and the package facts of the inspector, on images real dpkg, npm and rpm
// wrote, loaded through the lifecycle: keys and clicks become actions, actions states, states lines.

const keymap = createKeymap();
const press = (d: ViewData, s: AppState, ...keys: string[]) =>
  keys.reduce((st, k) => {
    const out = interpretKey(keymap, st, k, k.length === 1 ? k : '');
    return out.kind === 'action' ? reduce(d, st, out.action) : st;
  }, s);
const run = (d: ViewData, s: AppState, ...xs: (CommandId | Action)[]) => xs.reduce((st, x) => reduce(d, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
/** The pane's rows as `mark name version`. */
const rows = (d: ViewData, s: AppState) => selectPackagesPane(d, s).lines.map((l) => lineText(l).trimEnd()).filter((l) => l !== '');
/** Paths the tree shows, in order. */
const treePaths = (d: ViewData, s: AppState) => {
  const v = selectTreeView(d, s);
  const paths = d.kind === 'image' ? d.analysis.tree : d.diff;
  return Array.from({ length: v.rows.count }, (_, r) => paths.pathOf(v.ti.order[v.rows.posAt(r)]!));
};

describe.skipIf(NO_PACKAGE_TOOLS !== undefined)(`the packages pane${NO_PACKAGE_TOOLS ? ` (${NO_PACKAGE_TOOLS})` : ''}`, () => {
  let im: PackageImages;
  let image: ImageView;
  let comparison: ComparisonView;
  const start = (layer: number) => run(image, createInitialState({ cols: 120, rows: 40 }), { type: 'layers.select', layer });

  beforeAll(async () => {
    im = await packageImages();
    const one = await loadImage(parseReference(im.new.gzip, existsSync), { settings: localSettings() });
    await one.close();
    image = imageView(one.analysis, { symbols: true, packages: one.packages });
    const c = await loadComparison(parseReference(im.old.plain, existsSync), parseReference(im.new.gzip, existsSync), { old: { settings: localSettings() }, new: { settings: localSettings() } });
    await c.close();
    comparison = comparisonView(c.comparison, c.old.analysis, c.new.analysis, { symbols: true, packages: { old: c.old.packages!, new: c.new.packages!, diff: c.packages! } });
  }, 240_000);

  it('p lists the packages of the selected layer, what it changed first, with size, files and layer; p again closes it', () => {
    const s = press(image, start(2), 'p');
    expect(s.focus).toBe('packages');
    expect(rows(image, s)).toEqual([
      // what L2 changed, largest first: the same version with other files is a change too,
      // whether its size changed (pkg-same) or only its bytes (pkg-edit)
      '↓     900 B      1  L2     dpkg pkg-lib 1.5 → 1.4',
      '↑     700 B      1  L2     dpkg pkg-tool 2.0 → 2.1',
      '~      80 B      1  L0     dpkg pkg-same 1.0',
      '~      40 B      1  L0     dpkg pkg-edit 1.0',
      '+      10 B      1  L2     dpkg pkg-new 0.1',
      // then the rest
      '     2.1 kB      2  L0     dpkg pkg-base 1.0',
      '      334 B      2  L1     npm pkg-a 1.0.0',
      '      134 B      2  L1     npm pkg-b 1.0.0',
    ]);
    expect(lineText(selectPackagesPane(image, s).title)).toContain('L2 +1 −0 ~4 · 1/8');
    const closed = press(image, s, 'p');
    expect(closed.packages?.open).toBe(false);
    expect(closed.focus).toBe('tree');
  });

  it('a range aggregated from the empty image lists every package as added; the last layer lists what the image ends with', () => {
    const s = press(image, run(image, start(3), 'layers.compareAggregated'), 'p');
    expect(selectPackageRows(image, s).every((r) => r.change === 'added')).toBe(true);
    expect(selectPackageRows(image, s).map((r) => r.name).sort()).toEqual(['pkg-a', 'pkg-b', 'pkg-c', 'pkg-edit', 'pkg-lib', 'pkg-new', 'pkg-same', 'pkg-tool']);
    const last = press(image, start(image.analysis.layers.length - 1), 'p');
    expect(selectPackageRows(image, last).map((r) => `${r.manager} ${r.name} ${r.version}`).sort()).toEqual(im.listed.new);
  });

  it('Ctrl+O sorts by name; / filters live over manager, name and version; Esc clears the filter, then closes', () => {
    let s = press(image, start(1), 'p', 'ctrl+o');
    expect(selectPackageRows(image, s).map((r) => r.name)).toEqual(['pkg-a', 'pkg-b', 'pkg-base', 'pkg-edit', 'pkg-lib', 'pkg-same', 'pkg-tool']);
    s = press(image, s, '/', 'n', 'p', 'm');
    expect(s.packages?.editing).toBe(true);
    expect(selectPackageRows(image, s).map((r) => r.name)).toEqual(['pkg-a', 'pkg-b']);
    expect(lineText(selectPackagesPane(image, s).input!)).toMatch(/^Filter: npm▏/);
    expect(lineText(selectStatusBar(keymap, s, 80))).toContain('Enter Keep  Esc Clear');
    s = press(image, s, 'enter');
    expect(s.packages).toMatchObject({ editing: false, filter: 'npm' });
    s = press(image, s, 'esc');
    expect(s.packages).toMatchObject({ open: true, filter: '' });
    s = press(image, s, 'esc');
    expect(s.packages?.open).toBe(false);
  });

  it('Enter narrows the tree to the package\'s files at the range (its old version\'s too), says so, and Esc shows all files again', () => {
    let s = press(image, start(2), 'p', 'down'); // pkg-tool
    s = press(image, s, 'enter');
    expect(s.focus).toBe('tree');
    expect(s.packages?.open).toBe(false);
    expect(treePaths(image, s)).toEqual(['usr', 'usr/bin', 'usr/bin/tool']);
    expect(image.analysis.tree.pathOf(s.tree.cursorPath)).toBe('usr/bin/tool');
    const pane = selectTreePane(image, s);
    expect(lineText(pane.title)).toContain('only dpkg pkg-tool');
    expect(lineText(pane.head[0]!)).toMatch(/^\/usr\/bin\/tool +dpkg pkg-tool 2\.1 *$/);
    expect(s.message?.text).toBe('the files of dpkg pkg-tool (Esc: all files, p: the packages)');
    // p again: the pane on the package the tree shows
    const back = press(image, s, 'p');
    expect(selectPackageRows(image, back)[back.packages!.cursor]!.name).toBe('pkg-tool');
    s = press(image, s, 'esc');
    expect(s.tree.package).toBeUndefined();
    expect(treePaths(image, s).length).toBeGreaterThan(10);
    // A removed package's files: at L3 pkg-base is gone, its files are shown as removed.
    const removed = press(image, press(image, start(3), 'p'), ...Array(selectPackageRows(image, press(image, start(3), 'p')).findIndex((r) => r.name === 'pkg-base')).fill('down'), 'enter');
    expect(treePaths(image, removed)).toEqual(['usr', 'usr/share', 'usr/share/base', 'usr/share/base/data', 'usr/share/base/readme']);
  });

  it('the layer details count what the layer did to the packages, and i names the owner of the selected file', () => {
    const details = selectLayerDetails(image, start(2)).lines.map(lineText);
    expect(details).toContainEqual(expect.stringMatching(/^Pkgs: {3}\+1 −0 ~2 packages/));
    const s = press(image, press(image, start(2), 'p', 'down'), 'enter', 'i');
    const info = selectOverlayLines(image, s, keymap, 100).map(lineText);
    expect(info[0]).toMatch(/^File \/usr\/bin\/tool/);
    expect(info[1]).toMatch(/^Owner: +dpkg pkg-tool 2\.1/);
    // At L0 the same path was the older version's.
    const l0 = run(image, s, { type: 'overlay.close' }, { type: 'package.clear' }, { type: 'layers.select', layer: 0 });
    expect(selectOverlayLines(image, { ...l0, overlay: 'info' }, keymap, 100).map(lineText)[1]).toMatch(/^Owner: +dpkg pkg-tool 2\.0/);
  });

  it('in a comparison: the packages that differ, by size change, and Enter shows one package\'s changed files', () => {
    let s = press(comparison, createComparisonState({ cols: 120, rows: 40 }), 'p');
    expect(rows(comparison, s)).toEqual([
      '-   -2.1 kB      2  dpkg pkg-base 1.0',
      `+    +${im.expected.new.find((p) => p.name === 'pkg-c')!.sizeBytes} B      2  npm pkg-c 3.0.0`,
      '↑    +200 B      1  dpkg pkg-tool 2.0 → 2.1',
      '↓    -100 B      1  dpkg pkg-lib 1.5 → 1.4',
      '~     +30 B      1  dpkg pkg-same 1.0',
      '+     +10 B      1  dpkg pkg-new 0.1',
      ...(im.rpm ? ['+     +10 B      1  rpm r 2-1'] : []),
      '~        ±0      1  dpkg pkg-edit 1.0',
    ]);
    s = press(comparison, s, ...Array(4).fill('down'), 'enter');
    expect(treePaths(comparison, s)).toEqual(['usr', 'usr/share', 'usr/share/same', 'usr/share/same/file']);
    expect(lineText(selectTreePane(comparison, s).head[0]!)).toMatch(/NEW dpkg pkg-same 1\.0 *$/);
  });

  it('the mouse: a click on a row selects it, the wheel scrolls, a click on the title focuses', () => {
    const s = press(image, run(image, start(4), 'layers.compareAggregated'), 'p');
    const layout = { col: 100, row: 6 }; // the right column, the fourth row below the title and header
    const clicked = interpretMouse(image, s, { kind: 'press', button: 0, ...layout });
    expect(clicked).toEqual([{ type: 'focus', pane: 'packages' }, { type: 'packages.select', row: 3 }]);
    const after = clicked.reduce<AppState>((st, a) => reduce(image, st, a), { ...s, focus: 'layers' });
    expect(after.focus).toBe('packages');
    expect(after.packages?.cursor).toBe(3);
    expect(interpretMouse(image, s, { kind: 'wheel-down', button: 1, ...layout })).toEqual([{ type: 'scroll', pane: 'packages', delta: 3 }]);
    expect(interpretMouse(image, { ...s, focus: 'layers' }, { kind: 'press', button: 0, col: 100, row: 1 })).toEqual([{ type: 'focus', pane: 'packages' }]);
  });

  it("the findings panel names the packages owning each finding's paths, and advises from them", () => {
    const s = press(image, createInitialState({ cols: 200, rows: 40 }), 'e');
    const text = selectFindingsLines(image, s, 200).map(lineText);
    // dpkg -r pkg-base deleted files dpkg had installed: not "the same RUN that creates them"
    const i = text.findIndex((l) => l.includes('owned by dpkg pkg-base: '));
    expect(i).toBeGreaterThan(0);
    expect(text[i]).toContain('deleting files of installed packages in a later step saves nothing');
    expect(text[i - 1]).toMatch(/deleted later .*dpkg -r pkg-base/);
    // without the databases (--no-packages) no finding names an owner
    const bare = imageView(image.analysis, { symbols: true });
    expect(selectFindingsLines(bare, s, 200).map(lineText).some((l) => l.includes('owned by'))).toBe(false);
  });

  it('fits a 60x15 terminal: every line is 60 cells or less, the cursor row stays in view', () => {
    let s = press(image, run(image, createInitialState({ cols: 60, rows: 15 }), { type: 'layers.select', layer: 4 }, 'layers.compareAggregated'), 'p');
    s = press(image, s, 'G');
    const pane = selectPackagesPane(image, s);
    const all = [pane.title, ...(pane.input ? [pane.input] : []), ...pane.head, ...pane.lines].map(lineText);
    expect(all.every((l) => [...l].length <= 60 - Math.floor(60 * 0.42) - 1)).toBe(true);
    expect(all.length).toBe(14); // the right column's height: the status bar takes the last row
    expect(all.some((l) => l.includes('pkg-b'))).toBe(true); // the smallest, last by size, scrolled into view
  });

  it('a database not read is said as the inspector opens, and each one is a line above the rows, escaped', async () => {
    // Written by hand: no tool writes a malformed status file, or a manifest under such a name.
    const { buildDockerArchive, buildTar, tmpDir } = await import('../helpers/image-files.js');
    const { writeFileSync } = await import('node:fs');
    const evil = 'app/node_modules/evil\u001b[2J';
    const layer = await buildTar([
      { name: 'var/lib/dpkg/status', body: ' no field\n' },
      { name: `${evil}/package.json`, body: '{not json' },
    ]);
    const file = `${tmpDir('pkg-bad-')}/bad.tar`;
    writeFileSync(file, await buildDockerArchive([{ tags: ['bad:1'], layers: [layer] }]));
    const l = await loadImage(parseReference(file, existsSync), { settings: localSettings() });
    await l.close();
    const bad = imageView(l.analysis, { symbols: true, packages: l.packages });
    expect(selectPackagesNotice(bad)).toMatch(/^packages not read: dpkg: var\/lib\/dpkg\/status \(L0\) .* \(and 1 more\) \(p: the packages\)$/);
    const s = press(bad, run(bad, createInitialState({ cols: 160, rows: 30 }), { type: 'layers.select', layer: 0 }), 'p');
    const lines = rows(bad, s);
    expect(lines[0]).toMatch(/^not read: dpkg: var\/lib\/dpkg\/status \(L0\) /);
    expect(lines[1]).toBe('not read: npm: app/node_modules/evil?[2J/package.json (L0) is not valid JSON'); // the inspector's sanitize
    expect(lines[2]).toBe('(no package in this layer\'s databases)');
    expect(selectPackagesNotice(image)).toBeUndefined();
  });

  it('without packages read, the pane says so and p still toggles', () => {
    const bare = imageView(image.analysis, { symbols: true });
    const s = press(bare, start(0), 'p');
    expect(rows(bare, s)[0]).toBe('the package databases were not read (--no-packages)');
    expect(selectLayerDetails(bare, s).lines.map(lineText).some((l) => l.startsWith('Pkgs:'))).toBe(false);
  });
});
