import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/core/analyze.js';
import type { LayerEntry } from '../../../src/core/index.js';
import { imagesPage, imageView, renderHtmlReport } from '../../../src/report/html/index.js';
import { NODE_KIND } from '../../../src/report/html/page-data.js';
import { buildAnalysis, dir, file, whiteout } from '../../helpers/build-analysis.js';
import { ROOT } from '../../helpers/image-files.js';

/** The built page script when there is one (npm test builds first), else a stand-in of its size. */
const CLIENT = (() => {
  const f = path.join(ROOT, 'dist', 'page-client.js');
  return existsSync(f) ? readFileSync(f, 'utf8') : 'x'.repeat(30_000);
})();

describe('the size of the HTML report', () => {
  it('stays under 2 MB for an image made to blow it up: long multi-byte names and commands, every file rewritten by every layer', () => {
    // 60 layers; 2500 files with 200-character CJK names (3 bytes a character), each rewritten
    // with new content by every layer (60 events a file); every layer also removes 30 files and
    // adds 30 others, so every layer's lists of removed paths are full.
    const wide = (i: number) => `${'漢'.repeat(190)}${String(i).padStart(10, '0')}`;
    const L = 60;
    const layers = Array.from({ length: L }, (_, li) => {
      const entries: LayerEntry[] = li === 0 ? [dir('d')] : [];
      for (let i = 0; i < 2500; i++) entries.push(file(`d/${wide(i)}`, 1000 + i, { content: `${li}:${i}` }));
      for (let i = 0; i < 30; i++) entries.push(file(`d/${wide(10_000 + li * 100 + i)}`, 50 + i));
      if (li > 0) for (let i = 0; i < 30; i++) entries.push(whiteout(`d/${wide(10_000 + (li - 1) * 100 + i)}`));
      return { command: `${'命令'.repeat(600)} ${li}`, entries };
    });
    const a = buildAnalysis(layers);
    const view = imageView(a, summarize(a));
    const html = renderHtmlReport(imagesPage([view]), CLIENT);
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes).toBeLessThanOrEqual(2_000_000);
    // still a map of the whole filesystem: every byte, in fewer nodes
    const t = view.tree;
    expect(t.kind.filter((k) => k !== NODE_KIND.dir).length).toBeGreaterThan(16);
    expect(t.bytes.reduce((s, x) => s + x, 0)).toBe(view.treeBytes);
    expect(view.treeBytes).toBe(Array.from({ length: 2500 }, (_, i) => 1000 + i).reduce((s, x) => s + x, 0) + Array.from({ length: 30 }, (_, i) => 50 + i).reduce((s, x) => s + x, 0));
    expect(view.layers).toHaveLength(L);
    expect(view.layers[5]!.removed.count).toBe(30);
    // without the fitting, the same data is well over the limit
    const unfitted = Buffer.byteLength(renderHtmlReport(imagesPage([imageView(a, summarize(a), { dataLimit: 1e12 })]), CLIENT), 'utf8');
    expect(unfitted).toBeGreaterThan(1.4 * 2_000_000);
  }, 120_000);
});
