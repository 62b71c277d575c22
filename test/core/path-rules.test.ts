import { describe, expect, it } from 'vitest';
import { compilePathGlob, evaluatePathRules, withoutIgnored } from '../../src/core/path-rules.js';
import { analyzeImage } from '../../src/core/index.js';
import { analyze, contentKeysOf, dir, file, indexImage, selectHashRequests, whiteout } from '../helpers/layers.js';

/** The globs as `.dive-ci` compiles them: any one matches. */
const glob = (...patterns: string[]) => {
  const ms = patterns.map(compilePathGlob);
  return (p: string) => ms.some((m) => m(p));
};

/**
 * Three layers, built so that every figure moves when /var/lib/rpm is ignored:
 * - L0: /etc/a (content A), the rpm database /var/lib/rpm/db and a log beside it.
 * - L1: the database rewritten (different content), /etc/a chmod-ed (same content), /etc/b a
 *   copy of /etc/a's content.
 * - L2: the log deleted, /tmp/big added.
 */
function image() {
  return analyze([
    [dir('etc'), file('etc/a', 100, { content: 'A' }), dir('var'), dir('var/lib'), dir('var/lib/rpm'), file('var/lib/rpm/db', 1000, { content: 'D1' }), file('var/lib/rpm/log', 300)],
    [dir('var/lib/rpm'), file('var/lib/rpm/db', 1200, { content: 'D2' }), file('etc/a', 100, { content: 'A', mode: 0o600 }), file('etc/b', 100, { content: 'A' })],
    [whiteout('var/lib/rpm/log'), file('tmp/big', 400)],
  ]);
}

describe('withoutIgnored: ignored paths leave every figure', () => {
  it('computes the figures of the whole image as dive does (the control)', () => {
    const a = image();
    // Contributions per path (leaves of each layer's tree):
    //   /etc/a 100+100, /var/lib/rpm/db 1000+1200, /var/lib/rpm/log 300+0 (whiteout of a file),
    //   /etc/b 100, /tmp/big 400.
    // minimum = 100+1000+0+100+400 = 1600; all = 200+2200+300+100+400 = 3200
    expect(a.efficiency).toBe(1600 / 3200);
    expect(a.wastedBytes).toBe(200 + 2200 + 300);
    expect(a.sizeBytes).toBe(1400 + 1400 + 400);
    expect(a.userSizeBytes).toBe(1800);
    expect(a.userWastedPercent).toBe(2700 / 1800);
    expect(a.inefficientFiles.map((f) => f.path)).toEqual(['/var/lib/rpm/db', '/var/lib/rpm/log', '/etc/a']);
    // overwritten: db's first copy; metadata-only: /etc/a's first copy; deleted later: the log;
    // duplicate content: /etc/b is /etc/a's content
    expect(a.reclaimable).toEqual({ overwrittenBytes: 1000, deletedLaterBytes: 300, metadataOnlyBytes: 100, duplicateContentBytes: 100, totalBytes: 1500 });
  });

  it('removes /var/lib/rpm/** exactly as taking those entries out of the layers would', () => {
    const { analysis: b, ignored } = withoutIgnored(image(), glob('/var/lib/rpm/**'));
    // Left: L0 /etc, /etc/a 100, /var, /var/lib (now a leaf: contributes 0); L1 /etc/a 100,
    // /etc/b 100; L2 /tmp/big 400. The whiteout of the ignored log goes with it.
    //   minimum = 100 + 0 + 100 + 400 = 600; all = 200 + 0 + 100 + 400 = 700
    expect(b.efficiency).toBe(600 / 700);
    expect(b.wastedBytes).toBe(200);
    expect(b.inefficientFiles).toEqual([{ path: '/etc/a', count: 2, wastedBytes: 200 }]);
    expect(b.sizeBytes).toBe(100 + 200 + 400);
    expect(b.userSizeBytes).toBe(600);
    expect(b.userWastedPercent).toBe(200 / 600);
    expect(b.reclaimable).toEqual({ overwrittenBytes: 0, deletedLaterBytes: 0, metadataOnlyBytes: 100, duplicateContentBytes: 100, totalBytes: 200 });
    expect(b.fileCount).toBe(3); // /etc/a, /etc/b, /tmp/big
    expect(b.layers.map((l) => l.sizeBytes)).toEqual([100, 200, 400]);
    // /var/lib/rpm, its db and its log; 1000 + 300 + 1200 bytes of headers
    expect(ignored).toEqual({ paths: 3, bytes: 2500 });
    expect(b.tree.find('var/lib/rpm/db')).toBeUndefined();
  });

  it('takes a matched directory with everything under it, and counts duplicate content only among what is left', () => {
    // /etc matched without a /** : its files go too; /etc/b was the duplicate of /etc/a, so no
    // duplicate content is left, nor the metadata-only rewrite
    const { analysis: b, ignored } = withoutIgnored(image(), glob('/etc'));
    expect(ignored).toEqual({ paths: 3, bytes: 300 });
    expect(b.reclaimable).toEqual({ overwrittenBytes: 1000, deletedLaterBytes: 300, metadataOnlyBytes: 0, duplicateContentBytes: 0, totalBytes: 1300 });
    expect(b.inefficientFiles.map((f) => f.path)).toEqual(['/var/lib/rpm/db', '/var/lib/rpm/log']);
    // only /etc/b ignored: /etc/a keeps its waste, and nothing duplicates it any more
    const c = withoutIgnored(image(), glob('/etc/b')).analysis;
    expect(c.reclaimable.duplicateContentBytes).toBe(0);
    expect(c.reclaimable.metadataOnlyBytes).toBe(100);
    expect(c.wastedBytes).toBe(2700);
  });

  it('survives a layer anomaly: a file an ignored entry under it had turned into a directory', () => {
    // L0 writes /a as a file; L1 writes /a/x under it (the layer replaces /a by a directory);
    // /a/x ignored: /a stays a file, one the original analysis never compared
    // content keys only where the loader computes them (the groups the core compares)
    const index = indexImage({ identity: { reference: 'test:image', source: 'test' }, config: { diffIds: [], history: [], config: {} }, layers: [[file('a', 100), file('b', 100)], [file('a/x', 5)]].map((entries) => ({ descriptor: {}, entries })) });
    const all = contentKeysOf(index);
    const wanted = new Set(selectHashRequests(index));
    const a = analyzeImage(index, all.map((k, g) => (wanted.has(g) ? k : undefined)));
    expect(wanted.size).toBe(0); // nothing was compared in the original
    const { analysis: b, ignored } = withoutIgnored(a, glob('/a/x'));
    expect(ignored).toEqual({ paths: 1, bytes: 5 });
    expect(b.fileCount).toBe(2);
    expect(b.tree.entryAt(1, b.tree.find('a')!)!.type).toBe('file');
  });

  it('returns the same analysis when nothing matches', () => {
    const a = image();
    const r = withoutIgnored(a, glob('/nothing/**'));
    expect(r.analysis).toBe(a);
    expect(r.ignored).toEqual({ paths: 0, bytes: 0 });
  });
});

describe('evaluatePathRules', () => {
  it('block names the topmost blocked paths of the final filesystem, with the layer that wrote them', () => {
    const a = analyze([[dir('app'), dir('app/.git'), file('app/.git/config', 10), file('app/key.pem', 5)], [file('app/x', 1)], [whiteout('app/key.pem')]]);
    const [r] = evaluatePathRules(a, { block: glob('**/.git/**', '**/*.pem') });
    expect(r!.status).toBe('fail');
    // /app/key.pem was deleted by L2: not present, not an offender; /app/.git/config is under /app/.git
    expect(r!.offenders).toEqual([{ path: '/app/.git', layer: 0, sizeBytes: 10 }]);
    expect(r!.message).toBe('1 blocked path present in the final filesystem');
    expect(evaluatePathRules(a, { block: glob('/nope/**') })[0]!.status).toBe('pass');
  });

  it('denyWaste, maxFileSize and maxLayerCount', () => {
    const a = image();
    const rs = evaluatePathRules(a, { denyWaste: glob('/var/**'), maxFileSize: 399, maxLayerCount: 2 });
    expect(rs.map((r) => [r.name, r.status, r.actual])).toEqual([
      ['paths.denyWaste', 'fail', 2],
      ['paths.maxFileSize', 'fail', 2],
      ['paths.maxLayerCount', 'fail', 3],
    ]);
    // waste under /var: the db's first copy (L0, rewritten in L1) and the log (L0, deleted in L2)
    expect(rs[0]!.offenders).toEqual([
      { path: '/var/lib/rpm/db', layer: 0, sizeBytes: 1000 },
      { path: '/var/lib/rpm/log', layer: 0, sizeBytes: 300 },
    ]);
    expect(rs[0]!.message).toBe('1300 wasted bytes in 2 paths where no waste is allowed');
    expect(rs[1]!.offenders).toEqual([
      { path: '/tmp/big', layer: 2, sizeBytes: 400 },
      { path: '/var/lib/rpm/db', layer: 1, sizeBytes: 1200 },
    ]);
    expect(rs[2]!.message).toBe('too many layers (layers=3 > threshold=2)');
    const ok = evaluatePathRules(a, { maxFileSize: 1200, maxLayerCount: 3, denyWaste: glob('/tmp/**') });
    expect(ok.every((r) => r.status === 'pass' && r.message === '')).toBe(true);
  });

  it('denyWaste sees files a directory whiteout deleted, which dive does not count per file', () => {
    // npm install in one layer, rm -rf node_modules in the next: dive's inefficient files do
    // not list the files (only the whiteout of the directory), the waste is still there
    const a = analyze([[dir('app'), file('app/main.js', 10)], [dir('app/node_modules'), file('app/node_modules/a.js', 700), file('app/node_modules/b.js', 300)], [whiteout('app/node_modules')]]);
    expect(a.inefficientFiles.map((f) => f.path)).not.toContain('/app/node_modules/a.js');
    const [r] = evaluatePathRules(a, { denyWaste: glob('**/node_modules/**') });
    expect(r!.offenders).toEqual([
      { path: '/app/node_modules/a.js', layer: 1, sizeBytes: 700 },
      { path: '/app/node_modules/b.js', layer: 1, sizeBytes: 300 },
    ]);
  });

  it('on the analysis without ignored paths, ignored paths are never offenders', () => {
    const b = withoutIgnored(image(), glob('/var/lib/rpm/**')).analysis;
    expect(evaluatePathRules(b, { denyWaste: glob('/var/**'), maxFileSize: 1000 }).map((r) => r.status)).toEqual(['pass', 'pass']);
  });
});
