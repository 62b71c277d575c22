import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goFileMode, toDiveExport, type DiveExport } from '../../src/report/json-export.js';
import { FIXTURES, NO_FIXTURES, ROOT } from '../helpers/image-files.js';
import { analyze, dir, file, opaque, symlink, whiteout } from '../helpers/layers.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * `--json-format dive` is dive's own export (v0.13's runtime/export), key for key: checked
 * against dive's snapshot of its test image, and case by case on images built in memory.
 */

describe.skipIf(!FIXTURES)(`--json-format dive on dive's test image${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  it("equals dive's export snapshot, key for key, in dive's key order", () => {
    const golden = JSON.parse(readFileSync(path.join(ROOT, 'test', 'golden', 'dive-export-test-docker-image.json'), 'utf8')) as { export: DiveExport };
    const r = runCli(['--json', '-', '--json-format', 'dive', '--quiet', path.join(FIXTURES!, 'dive', 'test-docker-image.tar')], { env: { CI: '' } });
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as DiveExport;
    expect(got).toEqual(golden.export);
    // dive marshals its structs in declaration order (the snapshot stores keys sorted)
    expect(Object.keys(got)).toEqual(['layer', 'image']);
    expect(Object.keys(got.image)).toEqual(['sizeBytes', 'inefficientBytes', 'efficiencyScore', 'fileReference']);
    expect(Object.keys(got.layer[0]!)).toEqual(['index', 'id', 'digestId', 'sizeBytes', 'command', 'fileList']);
    expect(Object.keys(got.layer[0]!.fileList[0]!)).toEqual(['path', 'typeFlag', 'linkName', 'size', 'fileMode', 'uid', 'gid', 'isDir']);
    expect(got.image.fileReference.map((f) => f.file)).toEqual(['/root/saved.txt', '/root/example/somefile1.txt', '/root/example/somefile3.txt']);
  });

  it('in CI mode too, where the rules are evaluated on the same analysis', () => {
    const golden = JSON.parse(readFileSync(path.join(ROOT, 'test', 'golden', 'dive-export-test-docker-image.json'), 'utf8')) as { export: DiveExport };
    const r = runCli(['--ci', '--json', '-', '--json-format', 'dive', '--quiet', path.join(FIXTURES!, 'dive', 'test-docker-image.tar')]);
    expect(r.code).toBe(1); // highestUserWastedPercent fails, as in dive
    expect(JSON.parse(r.stdout)).toEqual(golden.export);
  });
});

describe("toDiveExport, dive's rules case by case", () => {
  it("lists every entry of a layer's own tree, children before parents, siblings by name, as dive's tree holds them", () => {
    const a = analyze(
      [
        [dir('etc'), file('etc/b', 2), file('etc/a', 1), dir('usr'), symlink('usr/sh', '/bin/busybox')],
        // no entry for srv/ itself: dive adds the node with empty data
        [file('srv/x', 3), whiteout('etc/a'), opaque('usr'), file('etc/b', 5, { mode: 0o4755 })],
      ],
      ['/bin/sh -c #(nop) ADD file:abc in / ', 'COPY . /srv'],
    );
    const d = toDiveExport(a);
    expect(d.layer[0]!.fileList.map((f) => f.path)).toEqual(['etc/a', 'etc/b', 'etc', 'usr/sh', 'usr']);
    // the whiteout is its own node (named .wh.a, sorted as such); .wh..wh..opq adds no node
    // but its directory; srv has empty data
    expect(d.layer[1]!.fileList.map((f) => [f.path, f.typeFlag])).toEqual([
      ['etc/.wh.a', 48],
      ['etc/b', 48],
      ['', 0],
      ['srv/x', 48],
      ['', 0],
      ['', 0],
    ]);
    expect(d.layer[1]!.fileList[2]).toEqual({ path: '', typeFlag: 0, linkName: '', size: 0, fileMode: 0, uid: 0, gid: 0, isDir: false });
    expect(d.layer[1]!.fileList[1]).toMatchObject({ size: 5, fileMode: 2 ** 23 + 0o755 });
    expect(d.layer[0]!.fileList[3]).toMatchObject({ typeFlag: 50, linkName: '/bin/busybox', fileMode: 2 ** 27 + 0o777 });
    // dive drops the `/bin/sh -c ` prefix and nothing else
    expect(d.layer.map((l) => l.command)).toEqual(['#(nop) ADD file:abc in / ', 'COPY . /srv']);
  });

  it("orders equal-size inefficient files as dive does: the one that became inefficient last first", () => {
    // /a is written again in layer 1, /b in layer 2: dive appends /a, then /b, sorts ascending
    // (stable for a few files) and reverses; by path they would be /a, /b
    const a = analyze([[file('a', 100), file('b', 100)], [file('a', 100, { content: 'a2' })], [file('b', 100, { content: 'b2' })]]);
    expect(a.inefficientFiles.map((f) => f.path)).toEqual(['/a', '/b']);
    expect(toDiveExport(a).image.fileReference).toEqual([
      { count: 2, sizeBytes: 200, file: '/b' },
      { count: 2, sizeBytes: 200, file: '/a' },
    ]);
  });

  it.each<[string, Parameters<typeof goFileMode>[0], number]>([
    ['a plain file', { path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1 }, 0o644],
    ['setgid and sticky', { path: 'f', type: 'file', mode: 0o3755, uid: 0, gid: 0, size: 1 }, 2 ** 22 + 2 ** 20 + 0o755],
    ['a directory with the sticky bit (/tmp)', { path: 'tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0, size: 0 }, 2148532735],
    ['a character device', { path: 'dev/null', type: 'char-device', mode: 0o666, uid: 0, gid: 0, size: 0 }, 2 ** 26 + 2 ** 21 + 0o666],
    ['a block device', { path: 'dev/sda', type: 'block-device', mode: 0o660, uid: 0, gid: 0, size: 0 }, 2 ** 26 + 0o660],
    ['a FIFO', { path: 'p', type: 'fifo', mode: 0o600, uid: 0, gid: 0, size: 0 }, 2 ** 25 + 0o600],
    ['a hard link: no type bits', { path: 'h', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0 }, 0o755],
  ])("Go's FileMode of %s", (_name, entry, mode) => {
    expect(goFileMode(entry)).toBe(mode);
  });
});
