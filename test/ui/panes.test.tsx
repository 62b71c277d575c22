import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FileHistoryPane } from '../../src/ui/components/FileHistoryPane.js';
import { FileTreePane } from '../../src/ui/components/FileTreePane.js';
import { ImageDetails } from '../../src/ui/components/ImageDetails.js';
import { LayerDetails } from '../../src/ui/components/LayerDetails.js';
import { LayerPane } from '../../src/ui/components/LayerPane.js';
import { StatusBar } from '../../src/ui/components/StatusBar.js';
import { Overlay } from '../../src/ui/components/Overlay.js';
import { createTheme } from '../../src/ui/theme.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { selectLayout } from '../../src/viewmodel/layout.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { selectHelpLines, selectInfoLines } from '../../src/viewmodel/rows.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { expectGolden, screenText } from './harness.js';

const a = sampleAnalysis();
const data = imageView(a, { symbols: true });
const theme = createTheme(false);
const keymap = createKeymap();
const at = (cols: number, rows: number, layer = 1, patch: (s: AppState) => AppState = (s) => s): AppState =>
  patch(reduce(data, createInitialState({ cols, rows }), { type: 'layers.select', layer }));

afterEach(() => cleanup());

describe('panes render at a chosen viewport', () => {
  for (const [cols, rows] of [
    [80, 24],
    [100, 30],
  ] as const) {
    it(`layers, layer details and image details at ${cols}x${rows}`, () => {
      const s = at(cols, rows);
      const layout = selectLayout(s, a.layers.length);
      const out = [
        render(<LayerPane data={data} state={s} layout={layout} theme={theme} />).lastFrame(),
        render(<LayerDetails data={data} state={s} layout={layout} theme={theme} />).lastFrame(),
        render(<ImageDetails data={data} state={s} layout={layout} theme={theme} />).lastFrame(),
      ].map(screenText);
      expect(out[0]!.split('\n')).toHaveLength(layout.layersHeight + 1);
      expect(out[0]).toContain('apk add curl');
      expect(out[1]).toContain('sha256:');
      expect(out[2]).toContain('Count');
      expectGolden(`left-column-${cols}x${rows}`, out.join('\n'));
    });

    it(`file tree at ${cols}x${rows}`, () => {
      const s = at(cols, rows, 1, (x) => ({ ...x, focus: 'tree' }));
      const layout = selectLayout(s, a.layers.length);
      const text = screenText(render(<FileTreePane data={data} state={s} layout={layout} theme={theme} />).lastFrame());
      expect(text).toContain('curl');
      // every attribute column where they fit, else the size column only
      expect(layout.attributes).toBe(true);
      expect(text.includes('-rw-r--r--')).toBe(!layout.compactAttributes);
      expect(text).toMatch(layout.compactAttributes ? /\n +Size {2}Name\n/ : /\n *Permission +UID:GID +Size {2}Name\n/);
      expect(text).toMatch(/ 2\.0 kB {2}│ +[├└]── curl/);
      expectGolden(`file-tree-${cols}x${rows}`, text);
    });
  }

  it('file history for a path changed in three layers', () => {
    const s = at(100, 30, 2, (x) => ({ ...x, focus: 'tree', tree: { ...x.tree, fileHistory: true, cursorPath: a.tree.find('etc/passwd')! } }));
    const layout = selectLayout(s, a.layers.length);
    const text = screenText(render(<FileHistoryPane data={data} state={s} layout={layout} theme={theme} />).lastFrame());
    expect(text).toMatch(/L0 added/);
    expect(text).toMatch(/L1 modified/);
    expect(text).toMatch(/L2 chmod\/chown/);
    expectGolden('file-history-100x30', text);
  });

  it('status bar lists the keys of the focused pane', () => {
    const layers = screenText(render(<StatusBar keymap={keymap} state={at(100, 30)} width={100} theme={theme} />).lastFrame());
    const tree = screenText(render(<StatusBar keymap={keymap} state={at(100, 30, 1, (s) => ({ ...s, focus: 'tree' }))} width={100} theme={theme} />).lastFrame());
    expect(layers).toContain('^L Layer changes');
    expect(layers).not.toContain('Collapse');
    expect(tree).toContain('Space Collapse');
    expect(tree).not.toContain('^L Layer changes');
    for (const t of [layers, tree]) {
      expect(t.endsWith('? Help')).toBe(true);
      expect(t).not.toContain('…');
    }
    expectGolden('status-bar-layers-100', layers);
    expectGolden('status-bar-tree-100', tree);
  });

  it('help overlay and history/config view', () => {
    const help = screenText(render(<Overlay lines={selectHelpLines(keymap, 100)} scroll={0} width={100} height={40} theme={theme} />).lastFrame());
    expect(help).toContain('^Space');
    expectGolden('help-100x40', help);
    const info = screenText(render(<Overlay lines={selectInfoLines(a, 100)} scroll={0} width={100} height={30} theme={theme} />).lastFrame());
    expect(info).toContain('ENV A=1');
    expect(info).toContain('Entrypoint');
    expectGolden('info-100x30', info);
  });
});
