import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportV1 } from '../../src/report/json-export.js';
import type { ImagesPage, ImageView } from '../../src/report/html/page-data.js';
import { BASE_NAME, buildahSkipReason, startBuildah, type Buildah } from '../helpers/buildah.js';
import { buildTar, sha256, tmpDir, type TarItem } from '../helpers/image-files.js';
import { cleanupTemps, registrySkipReason, skopeoPush, startRegistry, tempDir, type RunningRegistry } from '../helpers/registry-harness.js';
import { runCli } from '../helpers/run-cli.js';
import { sarifMultitoolSkipReason, validateJUnit, validateSarif, xmllintSkipReason } from '../helpers/validators.js';

const run = promisify(execFile);

/**
 * Results on the Dockerfile line that caused them, end to end: an image built here with the real
 * `buildah bud --layers` from a Containerfile whose line numbers are known (a multi-stage build,
 * an `ARG` used in paths, continuation lines, a `COPY --from`, and waste of every kind a build
 * can make: a package cache, build leftovers, files deleted later, content overwritten, a
 * metadata-only rewrite, identical content at two paths), then the built CLI with
 * `--dockerfile` and with a Containerfile in the working directory, and every report format:
 * each must locate its results on the exact lines. (Waste inside the base image cannot be
 * built here, the base image has one layer: the unit tests place it on the FROM line.)
 *
 * BuildKit cannot run here (it needs its daemon and runc), so the provenance case builds by hand
 * what `docker buildx build --attest type=provenance,mode=max --output type=oci` writes, around
 * the real image buildah built: an image index holding the image manifest and an attestation
 * manifest (platform unknown/unknown, annotated `vnd.docker.reference.type:
 * attestation-manifest` and `vnd.docker.reference.digest`), whose one layer is an in-toto
 * statement (`application/vnd.in-toto+json`, `in-toto.io/predicate-type:
 * https://slsa.dev/provenance/v1`) in the format of moby/buildkit docs/attestations/
 * slsa-definitions.md (see test/provenance/buildkit-provenance.test.ts for the field-by-field
 * sources), mapping each layer digest of the image to its step and line.
 */

// Line numbers are part of the fixture: the tests below name them.
const CONTAINERFILE = [
  '# A multi-stage build: every line number below is asserted.', // 1
  `ARG BASE=${BASE_NAME}`, // 2
  'FROM ${BASE} AS build', // 3
  'USER 0', // 4
  'RUN mkdir -p /out && \\', // 5
  '    echo built > /out/app.txt', // 6
  '', // 7
  'FROM ${BASE}', // 8
  'USER 0', // 9
  'ARG DIR=/srv', // 10
  'COPY --from=build /out/app.txt ${DIR}/app.txt', // 11
  'RUN mkdir -p /var/cache/apk && \\', // 12
  '    dd if=/dev/zero of=/var/cache/apk/APKINDEX.tar.gz bs=1024 count=64 2>/dev/null', // 13
  'RUN mkdir -p /src/.git && dd if=/dev/zero of=/src/.git/packfile bs=1024 count=48 2>/dev/null', // 14
  'RUN dd if=/dev/zero of=$DIR/tmp.bin bs=1024 count=256 2>/dev/null && \\', // 15
  '    dd if=/dev/zero of=$DIR/data.bin bs=1024 count=128 2>/dev/null && \\', // 16
  '    dd if=/dev/zero of=$DIR/dup1.bin bs=1024 count=96 2>/dev/null && \\', // 17
  '    cp $DIR/dup1.bin $DIR/dup2.bin', // 18
  'RUN rm $DIR/tmp.bin', // 19
  'RUN echo changed > $DIR/data.bin', // 20
  'RUN chmod 600 $DIR/app.txt', // 21
  'CMD ["/bin/sh"]', // 22
].join('\n') + '\n';

/** Each layer of the built image: [first line, last line] of the instruction that made it; null for the base. */
const LAYER_LINES: readonly ([number, number] | null)[] = [null, [11, 11], [12, 13], [14, 14], [15, 18], [19, 19], [20, 20], [21, 21]];
/** The final stage's FROM. */
const FROM = 8;

// `paths.block` names a path the RUN on line 14 writes; the dive rules fail on the whole image.
const DIVE_CI = ['rules:', '  lowestEfficiency: 0.99', '  highestUserWastedPercent: 0.01', 'paths:', '  block: ["/src/.git"]', ''].join('\n');

const skip = buildahSkipReason();

describe.skipIf(skip !== undefined)(`results on the Dockerfile line, for an image built by buildah ${skip ?? ''}`, () => {
  let b: Buildah;
  let archive: string;
  const work = tmpDir('inspect-tui-lines-');

  beforeAll(async () => {
    b = await startBuildah();
    const r = await b.build('lines', { Containerfile: CONTAINERFILE }, { layers: true });
    if (!r.ok) throw new Error(`buildah bud failed: ${r.stderr}`);
    archive = await b.push('lines');
  }, 600_000);
  afterAll(() => {
    b?.close();
    cleanupTemps();
  });

  /** A working directory with the rules file and, when given, files; the CLI run there. */
  const cwd = (name: string, files: Record<string, string> = {}) => {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.dive-ci'), DIVE_CI);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
    return dir;
  };
  const REPORTS = ['--report', 'github', '--report', 'sarif=r.sarif', '--report', 'codequality=cq.json', '--report', 'junit=r.xml', '--report', 'markdown=r.md', '--report', 'html=r.html', '--json', 'out.json'];
  const runIn = (dir: string, args: string[]) => {
    const r = runCli(['--quiet', ...REPORTS, ...args], { cwd: dir, env: { CI: '', GITHUB_STEP_SUMMARY: undefined } });
    return { ...r, read: (f: string) => readFileSync(path.join(dir, f), 'utf8') };
  };
  const layerLines = (j: ExportV1) => j.layers.map((l) => (l.source ? [l.source.line, l.source.endLine] : null));

  /** The HTML report's page data, read back from the page (`src/report/html/page-data.ts`). */
  const pageData = (html: string) => {
    const start = html.indexOf('>', html.indexOf('id="report-data"')) + 1;
    return JSON.parse(html.slice(start, html.indexOf('</script>', start))) as ImagesPage;
  };

  describe('--dockerfile PATH: every format lands on the exact line', () => {
    let r: ReturnType<typeof runIn>;
    beforeAll(() => {
      const dir = cwd('given', { 'app.Containerfile': CONTAINERFILE });
      r = runIn(dir, ['--dockerfile', 'app.Containerfile', `docker-archive:${archive}`]);
    });

    it('exits 1 (rules fail) and says nothing about the Dockerfile', () => {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe('');
    });

    it('--json: layers[].source has each layer’s lines, the base none; dockerfile names the file and the final FROM', () => {
      const j = JSON.parse(r.read('out.json')) as ExportV1;
      expect(j.dockerfile).toEqual({ file: 'app.Containerfile', via: 'dockerfile', from: { file: 'app.Containerfile', line: FROM, endLine: FROM } });
      expect(layerLines(j)).toEqual(LAYER_LINES);
      expect(j.layers[4]!.source).toEqual({ file: 'app.Containerfile', line: 15, endLine: 18 });
    });

    it('--json: each finding points at the instruction to change', () => {
      const j = JSON.parse(r.read('out.json')) as ExportV1;
      const at = (kind: string) => j.findings.filter((f) => f.kind === kind).map((f) => [f.source?.line, f.source?.endLine]);
      expect(at('package-cache')).toEqual([[12, 13]]); // the RUN that filled /var/cache/apk
      expect(at('build-leftovers')).toEqual([[14, 14]]); // the RUN that made /src/.git
      expect(at('deleted-later')).toEqual([[15, 18]]); // written on 15-18, deleted on 19: delete it in the same RUN
      expect(at('overwritten')).toEqual([[15, 18]]); // written on 15-18, replaced on 20
      expect(at('duplicate-content')).toEqual([[15, 18]]); // dup1.bin and dup2.bin
      expect(at('metadata-only')).toEqual([[11, 11]]); // the COPY --from whose file line 21 chmods: set the mode when copying
      // the finding's layers and the lines they map to agree
      const del = j.findings.find((f) => f.kind === 'deleted-later')!;
      expect(del.layers.map((l) => j.layers[l.index]!.source?.line)).toEqual([15, 19]);
    });

    it('GitHub: ::error on the FROM line per failing rule, on line 14 for the blocked path, ::warning per finding on its line', () => {
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      const props = (l: string) => /^::(\w+) (file=[^,]*,line=\d+,endLine=\d+)?/.exec(l)!;
      const errors = lines.filter((l) => l.startsWith('::error '));
      expect(errors.map((l) => props(l)[2])).toEqual([
        `file=app.Containerfile,line=${FROM},endLine=${FROM}`, // highestUserWastedPercent
        `file=app.Containerfile,line=${FROM},endLine=${FROM}`, // lowestEfficiency
        `file=app.Containerfile,line=${FROM},endLine=${FROM}`, // paths.block, whole image
        'file=app.Containerfile,line=14,endLine=14', // paths.block, where /src/.git was written
      ]);
      expect(errors[3]).toContain('::paths.block: 1 path written here break the rule: RUN mkdir -p /src/.git');
      const warnings = lines.filter((l) => l.startsWith('::warning '));
      const byTitle = (kind: RegExp) => warnings.filter((l) => kind.test(l)).map((l) => props(l)[2]);
      expect(byTitle(/package manager cache/)).toEqual(['file=app.Containerfile,line=12,endLine=13']);
      expect(byTitle(/build leftovers/)).toEqual(['file=app.Containerfile,line=14,endLine=14']);
      expect(byTitle(/deleted in a later layer/)).toEqual(['file=app.Containerfile,line=15,endLine=18']);
      expect(byTitle(/rewritten to change mode/)).toEqual(['file=app.Containerfile,line=11,endLine=11']);
      // the message names both lines of the waste
      expect(warnings.find((l) => /deleted in a later layer/.test(l))).toContain('at app.Containerfile:15-18: RUN dd');
      expect(warnings.find((l) => /deleted in a later layer/.test(l))).toContain('at app.Containerfile:19: RUN rm $DIR/tmp.bin');
    });

    it('SARIF: regions on the lines; the rule on the FROM line, the blocked path on line 14, the findings on theirs', () => {
      type Res = { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number; endLine: number } } }[] };
      const res = (JSON.parse(r.read('r.sarif')) as { runs: { results: Res[] }[] }).runs[0]!.results;
      const where = (x: Res) => {
        const p = x.locations[0]!.physicalLocation!;
        return `${x.ruleId} ${p.artifactLocation.uri}:${p.region?.startLine}-${p.region?.endLine}`;
      };
      expect(res.map(where)).toEqual(
        expect.arrayContaining([
          `highestUserWastedPercent app.Containerfile:${FROM}-${FROM}`,
          `lowestEfficiency app.Containerfile:${FROM}-${FROM}`,
          `paths.block app.Containerfile:${FROM}-${FROM}`,
          'paths.block app.Containerfile:14-14',
          'finding/package-cache app.Containerfile:12-13',
          'finding/build-leftovers app.Containerfile:14-14',
          'finding/deleted-later app.Containerfile:15-18',
          'finding/overwritten app.Containerfile:15-18',
          'finding/duplicate-content app.Containerfile:15-18',
          'finding/metadata-only app.Containerfile:11-11',
        ]),
      );
      // every result is on a line of the Dockerfile: nothing points at the archive any more
      for (const x of res) expect(x.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('app.Containerfile');
    });

    it.skipIf(sarifMultitoolSkipReason() !== undefined)('SARIF with lines: the multitool finds nothing wrong for GitHub (Gh, Ghas)', () => {
      for (const kind of ['Gh', 'Ghas'] as const) expect(validateSarif(path.join(work, 'given', 'r.sarif'), kind)).toEqual({ errors: [], warnings: [] });
    });

    it('GitLab Code Quality: location.path and lines.begin on the lines', () => {
      const issues = JSON.parse(r.read('cq.json')) as { check_name: string; location: { path: string; lines: { begin: number; end?: number } } }[];
      const at = (check: string) => issues.filter((i) => i.check_name === check).map((i) => `${i.location.path}:${i.location.lines.begin}-${i.location.lines.end}`);
      expect(at('inspect-tui/lowestEfficiency')).toEqual([`app.Containerfile:${FROM}-${FROM}`]);
      expect(at('inspect-tui/paths.block')).toEqual([`app.Containerfile:${FROM}-${FROM}`, 'app.Containerfile:14-14']);
      expect(at('inspect-tui/finding/package-cache')).toEqual(['app.Containerfile:12-13']);
      expect(at('inspect-tui/finding/deleted-later')).toEqual(['app.Containerfile:15-18']);
      for (const i of issues) expect(path.isAbsolute(i.location.path)).toBe(false);
    });

    it('JUnit: the suite names the Dockerfile, each failure its line; valid against junit-10.xsd', () => {
      const xml = r.read('r.xml');
      expect(xml).toMatch(/<testsuite name="[^"]*" tests="4" failures="3" errors="0" skipped="1" file="app.Containerfile">/);
      expect(xml).toContain(`at: app.Containerfile:${FROM}`);
      expect(xml).toMatch(/\/src\/\.git \(\d+ kB, layer 3 at app\.Containerfile:14: RUN mkdir -p \/src\/\.git/);
      if (xmllintSkipReason() === undefined) {
        const v = validateJUnit(path.join(work, 'given', 'r.xml'));
        expect(v.valid, v.output).toBe(true);
      }
    });

    it('HTML: each layer’s line, and each finding’s layers on theirs', () => {
      const page = pageData(r.read('r.html')).images[0] as ImageView;
      expect(page.layers.map((l) => (l.source ? [l.source.line, l.source.endLine] : null))).toEqual(LAYER_LINES);
      expect(page.layers[4]!.source).toEqual({ file: 'app.Containerfile', line: 15, endLine: 18 });
      const del = page.findings.find((f) => f.kind === 'deleted-later')!;
      expect(del.layers.map((l) => l.source?.line)).toEqual([15, 19]);
    });

    it('Markdown: the Dockerfile, each layer’s line, each offending path’s and finding’s', () => {
      const md = r.read('r.md');
      expect(md).toContain(`Dockerfile: app.Containerfile (matched to the history, final stage at app.Containerfile:${FROM})`);
      expect(md).toMatch(/^\| 4 \| \d+ kB \| app\.Containerfile:15-18 \| RUN dd /m);
      expect(md).toMatch(/^\| 0 \| [\d.]+ MB \| {2}\| \/bin\/sh \|$/m); // the base layer: no line
      expect(md).toMatch(/^- \/src\/\.git \(\d+ kB, layer 3 at app\.Containerfile:14: RUN mkdir/m);
      expect(md).toMatch(/L4 at app\.Containerfile:15-18 `RUN dd[^|]*` → L5 at app\.Containerfile:19 `RUN rm/);
    });
  });

  it('a Containerfile in the working directory is used when it matches, named as found; an absolute --dockerfile is reported relative', () => {
    const found = cwd('found', { Containerfile: CONTAINERFILE });
    const r1 = runIn(found, [`docker-archive:${archive}`]);
    expect(r1.code, r1.stderr).toBe(1);
    const j1 = JSON.parse(r1.read('out.json')) as ExportV1;
    expect(j1.dockerfile?.file).toBe('Containerfile');
    expect(layerLines(j1)).toEqual(LAYER_LINES);
    expect(r1.stdout).toContain(`::error file=Containerfile,line=${FROM},endLine=${FROM},`);

    const abs = cwd('absolute');
    mkdirSync(path.join(abs, 'docker'));
    writeFileSync(path.join(abs, 'docker', 'Dockerfile'), CONTAINERFILE);
    const r2 = runIn(abs, ['--dockerfile', path.join(abs, 'docker', 'Dockerfile'), `docker-archive:${archive}`]);
    const j2 = JSON.parse(r2.read('out.json')) as ExportV1;
    expect(j2.dockerfile?.file).toBe('docker/Dockerfile');
    expect(j2.layers[2]!.source).toEqual({ file: 'docker/Dockerfile', line: 12, endLine: 13 });
  });

  it('a Dockerfile edited since the build gives no line: with --dockerfile one warning line, found in the directory silence; results on the archive', () => {
    const edited = CONTAINERFILE.replace('RUN rm $DIR/tmp.bin', 'RUN rm -f $DIR/tmp.bin');
    const given = cwd('edited-given', { Dockerfile: edited });
    const r1 = runIn(given, ['--dockerfile', 'Dockerfile', `docker-archive:${archive}`]);
    expect(r1.code).toBe(1);
    expect(r1.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^inspect-tui: warning: Dockerfile does not describe this image \(.*line 19\): no Dockerfile lines$/)]);
    const j1 = JSON.parse(r1.read('out.json')) as ExportV1;
    expect(j1.dockerfile).toBeNull();
    expect(j1.layers.every((l) => l.source === null)).toBe(true);
    expect(j1.findings.every((f) => f.source === null)).toBe(true);
    // the results are on the image argument, relative, and no finding is put on a line
    const rel = path.relative(given, archive);
    expect(r1.stdout).toContain(`::error file=${rel},title=`);
    expect(r1.stdout).not.toContain('::warning file=');

    const found = cwd('edited-found', { Dockerfile: edited });
    const r2 = runIn(found, [`docker-archive:${archive}`]);
    expect(r2.stderr).toBe('');
    expect((JSON.parse(r2.read('out.json')) as ExportV1).dockerfile).toBeNull();
  });

  it('--dockerfile that is no regular file, or missing: one line naming it, exit 2, nothing written', () => {
    const dir = cwd('bad-dockerfile');
    mkdirSync(path.join(dir, 'adir'));
    for (const [arg, why] of [
      ['adir', /^inspect-tui: adir: a directory, not a regular file/],
      ['missing', /^inspect-tui: missing: no such file$/],
    ] as const) {
      const r = runIn(dir, ['--dockerfile', arg, `docker-archive:${archive}`]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  describe('BuildKit provenance in an OCI layout (built by hand around the buildah image: BuildKit cannot run here)', () => {
    let layout: string;
    let manifestDigest: string;
    const SHIFT = 2; // the recorded Dockerfile has two more lines at its top than the Containerfile
    const recorded = `# syntax=docker/dockerfile:1\n# recorded by the build\n${CONTAINERFILE}`;

    beforeAll(async () => {
      layout = path.join(work, 'layout');
      await skopeo(['copy', `docker-archive:${archive}`, `oci:${layout}:1`]);
      const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string }[] };
      const imageDesc = index.manifests[0]!;
      manifestDigest = imageDesc.digest;
      const manifest = JSON.parse(readFileSync(blob(layout, manifestDigest), 'utf8')) as { layers: { digest: string; size: number; mediaType: string }[] };
      const statement = provenanceStatement(manifestDigest, manifest.layers, recorded, SHIFT);
      const put = (data: string) => {
        const digest = `sha256:${sha256(Buffer.from(data))}`;
        writeFileSync(blob(layout, digest), data);
        return { digest, size: Buffer.byteLength(data) };
      };
      const st = put(JSON.stringify(statement));
      const cfg = put(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [st.digest] } }));
      const att = put(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
          layers: [{ mediaType: 'application/vnd.in-toto+json', ...st, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' } }],
        }),
      );
      const imageIndex = put(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            { mediaType: imageDesc.mediaType, digest: imageDesc.digest, size: imageDesc.size, platform: { architecture: 'amd64', os: 'linux' } },
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              ...att,
              annotations: { 'vnd.docker.reference.digest': manifestDigest, 'vnd.docker.reference.type': 'attestation-manifest' },
              platform: { architecture: 'unknown', os: 'unknown' },
            },
          ],
        }),
      );
      writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...imageIndex, annotations: { 'org.opencontainers.image.ref.name': '1' } }] }));
    }, 120_000);

    const shifted = LAYER_LINES.map((l) => (l ? [l[0] + SHIFT, l[1] + SHIFT] : null));

    it('oci:: the lines come from the provenance (the recorded file and its lines), with no Dockerfile at hand', () => {
      const dir = cwd('provenance');
      const r = runIn(dir, [`oci:${layout}:1`]);
      expect(r.code, r.stderr).toBe(1);
      const j = JSON.parse(r.read('out.json')) as ExportV1;
      expect(j.dockerfile).toEqual({ file: 'docker/Dockerfile', via: 'provenance', from: { file: 'docker/Dockerfile', line: FROM + SHIFT, endLine: FROM + SHIFT } });
      expect(layerLines(j)).toEqual(shifted);
      expect(r.stdout).toContain(`::error file=docker/Dockerfile,line=${14 + SHIFT},endLine=${14 + SHIFT},`);
    });

    it('oci:: provenance wins over a Containerfile in the working directory that also matches', () => {
      const dir = cwd('provenance-and-file', { Containerfile: CONTAINERFILE });
      const j = JSON.parse(runIn(dir, [`oci:${layout}:1`]).read('out.json')) as ExportV1;
      expect(j.dockerfile?.via).toBe('provenance');
      expect(layerLines(j)).toEqual(shifted);
    });

    it('oci:: a statement whose bytes contradict its digest refuses the image, as any blob does', () => {
      const bad = path.join(work, 'layout-tampered');
      copyDir(layout, bad);
      const index = JSON.parse(readFileSync(path.join(bad, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const imageIndex = JSON.parse(readFileSync(blob(bad, index.manifests[0]!.digest), 'utf8')) as { manifests: { digest: string }[] };
      const att = JSON.parse(readFileSync(blob(bad, imageIndex.manifests[1]!.digest), 'utf8')) as { layers: { digest: string }[] };
      const file = blob(bad, att.layers[0]!.digest);
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace('"line":', '"line" :').slice(0, text.length)); // same size, other bytes
      const r = runIn(cwd('tampered'), [`oci:${bad}:1`]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^inspect-tui: .*layout-tampered: blob sha256:[0-9a-f]+ does not match its digest$/);
    });

    it('docker-archive: a Docker 25+ save (the OCI layout beside manifest.json) carries the provenance too', async () => {
      // What `docker save` writes with the containerd image store: the layout's blobs and index.json, and manifest.json naming the config and layers.
      const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const imageIndex = JSON.parse(readFileSync(blob(layout, index.manifests[0]!.digest), 'utf8')) as { manifests: { digest: string }[] };
      const manifest = JSON.parse(readFileSync(blob(layout, imageIndex.manifests[0]!.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
      const name = (d: string) => `blobs/sha256/${d.slice('sha256:'.length)}`;
      const items: TarItem[] = [
        { name: 'oci-layout', body: readFileSync(path.join(layout, 'oci-layout')) },
        { name: 'index.json', body: readFileSync(path.join(layout, 'index.json')) },
        { name: 'manifest.json', body: JSON.stringify([{ Config: name(manifest.config.digest), RepoTags: ['app/lines:1'], Layers: manifest.layers.map((l) => name(l.digest)) }]) },
        ...readdirSync(path.join(layout, 'blobs', 'sha256')).map((f) => ({ name: `blobs/sha256/${f}`, body: readFileSync(path.join(layout, 'blobs', 'sha256', f)) })),
      ];
      const saved = path.join(work, 'docker25-save.tar');
      writeFileSync(saved, await buildTar(items));
      const r = runIn(cwd('docker25'), [`docker-archive:${saved}`]);
      expect(r.code, r.stderr).toBe(1);
      const j = JSON.parse(r.read('out.json')) as ExportV1;
      expect(j.dockerfile?.via).toBe('provenance');
      expect(layerLines(j)).toEqual(shifted);
    });

    describe.skipIf(registrySkipReason() !== undefined)('through a registry (skopeo copy --all)', () => {
      let registry: RunningRegistry;
      beforeAll(async () => {
        registry = await startRegistry({ storageDir: tempDir('lines-registry') });
        await skopeoPush(`oci:${layout}:1`, `docker://${registry.host}/app/lines:1`, { all: true });
      }, 120_000);
      afterAll(() => registry?.stop());

      it('skopeo copies the attestation manifest with the index, and the registry source reads the lines from it', async () => {
        const res = await fetch(`http://${registry.host}/v2/app/lines/manifests/1`, { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
        const index = (await res.json()) as { manifests: { annotations?: Record<string, string> }[] };
        expect(index.manifests.map((m) => m.annotations?.['vnd.docker.reference.type'] ?? 'image')).toEqual(['image', 'attestation-manifest']);
        const dir = cwd('registry');
        const r = runIn(dir, [`docker://${registry.host}/app/lines:1`]);
        expect(r.code, r.stderr).toBe(1);
        const j = JSON.parse(r.read('out.json')) as ExportV1;
        expect(j.dockerfile?.via).toBe('provenance');
        expect(layerLines(j)).toEqual(shifted);
        expect(r.stdout).toContain(`::error file=docker/Dockerfile,line=${FROM + SHIFT},endLine=${FROM + SHIFT},`);
      });
    });
  });
});

/** `skopeo` with a policy that accepts anything, in a private temp dir. */
async function skopeo(args: string[]): Promise<void> {
  const dir = tmpDir('inspect-tui-skopeo-');
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  await run('skopeo', ['--policy', policy, ...args], { env: { ...process.env, TMPDIR: dir }, maxBuffer: 16 << 20 });
}

function blob(layout: string, digest: string): string {
  return path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

function copyDir(from: string, to: string): void {
  mkdirSync(path.join(to, 'blobs', 'sha256'), { recursive: true });
  for (const f of ['index.json', 'oci-layout']) copyFileSync(path.join(from, f), path.join(to, f));
  const blobs = path.join(from, 'blobs', 'sha256');
  for (const name of readdirSync(blobs)) copyFileSync(path.join(blobs, name), path.join(to, 'blobs', 'sha256', name));
}

/**
 * BuildKit's `mode=max` provenance (SLSA v1) of the final stage of CONTAINERFILE as BuildKit
 * would have built it: one LLB step per instruction that made a layer, each located on the lines
 * of the recorded Dockerfile (one range per line), `layers` mapping each step's output to the
 * image's layer chain up to it, the base image a `docker-image://` source.
 */
function provenanceStatement(manifestDigest: string, layers: readonly { digest: string; size: number; mediaType: string }[], recorded: string, shift: number) {
  const range = (from: number, to: number) => ({ ranges: Array.from({ length: to - from + 1 }, (_, i) => ({ start: { line: from + i + shift }, end: { line: from + i + shift } })) });
  const platform = { Architecture: 'amd64', OS: 'linux' };
  const llbDefinition: object[] = [{ id: 'step0', op: { Op: { source: { identifier: `docker-image://${BASE_NAME}` } }, platform, constraints: {} } }];
  const locations: Record<string, object> = { step0: { locations: [range(FROM, FROM)] } };
  const chains: Record<string, object[][]> = { 'step0:0': [layers.slice(0, 1)] };
  LAYER_LINES.forEach((l, i) => {
    if (!l) return;
    const id = `step${i}`;
    llbDefinition.push({ id, op: { Op: { exec: { meta: { args: ['/bin/sh', '-c', 'true'], cwd: '/' }, mounts: [{ input: 0, dest: '/', output: 0 }] } }, platform, constraints: {} }, inputs: [`step${i - 1}:0`] });
    locations[id] = { locations: [range(l[0], l[1])] };
    chains[`${id}:0`] = [layers.slice(0, i + 1)];
  });
  llbDefinition.push({ id: `step${LAYER_LINES.length}`, op: { Op: {} }, inputs: [`step${LAYER_LINES.length - 1}:0`] });
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subject: [{ name: 'pkg:docker/app/lines@1?platform=linux%2Famd64', digest: { sha256: manifestDigest.slice('sha256:'.length) } }],
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        externalParameters: { configSource: { path: 'docker/Dockerfile' }, request: { frontend: 'dockerfile.v0', args: {} } },
        internalParameters: { buildConfig: { llbDefinition, digestMapping: {} }, builderPlatform: 'linux/amd64' },
        resolvedDependencies: [],
      },
      runDetails: {
        builder: { id: '' },
        metadata: {
          invocationID: 'lines0test0invocation',
          buildkit_metadata: {
            source: { locations, infos: [{ filename: 'docker/Dockerfile', language: 'Dockerfile', data: Buffer.from(recorded).toString('base64') }] },
            layers: chains,
          },
        },
      },
    },
  };
}
