import { describe, expect, it } from 'vitest';
import { Change, compareEntries } from '../../src/core/index.js';
import { compareImages, type ChangedAspect } from '../../src/core/compare-images.js';
import { directoryHistory } from '../../src/core/dir-history.js';
import { findFindings } from '../../src/core/findings.js';
import { analyze, contentOfEntry, dir, file, numberedImage } from '../helpers/layers.js';

/**
 * A file or directory written again with other attributes: each attribute on its own, so a
 * comparison that looks at one of uid and gid (or at mode alone) fails the row that changes
 * only the other. Every row keeps the bytes equal; only the attributes differ.
 */
type Attrs = { mode: number; uid: number; gid: number };
const BEFORE: Attrs = { mode: 0o644, uid: 0, gid: 0 };
const CASES: readonly { name: string; after: Partial<Attrs>; aspects: readonly ChangedAspect[] }[] = [
  { name: 'chown: the user ID only', after: { uid: 1000 }, aspects: ['owner'] },
  { name: 'chgrp: the group ID only', after: { gid: 1000 }, aspects: ['owner'] }, // the uid is the same: only the gid tells
  { name: 'chown user:group: both IDs', after: { uid: 1000, gid: 1000 }, aspects: ['owner'] },
  { name: 'chmod: the mode only', after: { mode: 0o600 }, aspects: ['mode'] },
  { name: 'chmod and chgrp together', after: { mode: 0o600, gid: 50 }, aspects: ['mode', 'owner'] },
  { name: 'written again unchanged', after: {}, aspects: [] }, // the control row: nothing differs
];

const fileWith = (a: Partial<Attrs>) => file('app/f', 100, { content: 'same bytes', ...BEFORE, ...a });
const dirWith = (a: Partial<Attrs>) => dir('app', { ...BEFORE, mode: 0o755, ...a });

describe.each(CASES)('$name', ({ after, aspects }) => {
  const changed = aspects.length > 0;

  it('compareEntries: metadata when an attribute differs, same otherwise', () => {
    const a = fileWith({});
    const b = fileWith(after);
    expect(compareEntries(a, b, contentOfEntry(a), contentOfEntry(b))).toBe(changed ? 'metadata' : 'same');
    const da = dirWith({});
    const db = dirWith(after);
    expect(compareEntries(da, db, undefined, undefined)).toBe(changed ? 'metadata' : 'same');
  });

  it('within one image: the layer modified the file, its history says metadata, findings blame the attribute change', () => {
    const img = analyze([[dirWith({}), fileWith({})], [fileWith(after)]], ['COPY app /app', 'chown/chgrp/chmod /app/f']);
    const p = img.tree.find('app/f')!;
    expect(img.tree.diffRange(0, 1)[p]).toBe(changed ? Change.modified : Change.unmodified);
    expect(img.layers[1]!.changes).toEqual({ added: 0, modified: changed ? 1 : 0, removed: 0, unmodified: changed ? 0 : 1 });
    expect(img.tree.fileHistory(p).map((e) => [e.layer, e.kind])).toEqual([
      [0, 'added'],
      [1, changed ? 'metadata' : 'unmodified'],
    ]);
    // Both are metadata-only waste; the advice tells an attribute change from an identical rewrite.
    const meta = findFindings(img, { baseLayers: 0 }).filter((f) => f.kind === 'metadata-only');
    expect(meta).toHaveLength(1);
    expect(meta[0]!.bytes).toBe(100);
    expect(meta[0]!.advice).toContain(changed ? 'COPY --chown' : 'same bytes');
  });

  it('within one image: a directory whose attributes changed has a metadata event', () => {
    const img = analyze([[dirWith({}), fileWith({})], [dirWith(after)]]);
    expect(directoryHistory(img.tree, img.tree.find('app')!).map((e) => [e.layer, e.kind])).toEqual(changed ? [[0, 'created'], [1, 'metadata']] : [[0, 'created']]);
  });

  it('comparing two images: the file and the directory differ in exactly these aspects', () => {
    const shared = { id: 1, command: 'base', entries: [dir('etc'), file('etc/os-release', 10)] };
    const old = numberedImage([shared, { id: 2, command: 'COPY app /app', entries: [dirWith({}), fileWith({})] }]);
    const neu = numberedImage([shared, { id: 3, command: 'COPY app /app', entries: [dirWith(after), fileWith(after)] }]);
    const c = compareImages(old, neu, { old: (g) => contentOfEntry(old.tree.entry(g)), new: (g) => contentOfEntry(neu.tree.entry(g)) });
    const by = new Map(c.files.map((f) => [f.path, f]));
    for (const path of ['/app', '/app/f']) {
      if (!changed) expect(by.has(path)).toBe(false);
      else expect(by.get(path)).toMatchObject({ change: 'modified', aspects, sizeDelta: 0 });
    }
    if (changed) expect(by.get('/app/f')).toMatchObject({ old: { ...BEFORE }, new: { ...BEFORE, ...after } });
    expect(c.unchangedCount).toBe(changed ? 2 : 4); // etc, etc/os-release (and app, app/f when unchanged)
  });
});
