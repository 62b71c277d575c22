import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { ExportV1 } from '../../src/report/json-export.js';
import { FIXTURES, NO_FIXTURES, ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * The shipped JSON Schema (schema/export-v1.schema.json) against what the built CLI really
 * writes with `--json -`: every image format in ../shared/fixtures and the example image, with
 * and without --ci, one image (an object) and several (an array).
 */

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'export-v1.schema.json'), 'utf8')) as {
  $schema: string;
  $id: string;
  $defs: { export: { properties: { schemaVersion: { const: number } } } };
};
// strict: an unknown keyword or a type-less `required` in the schema is an error, not a log line
const ajv = new Ajv2020({ strict: true, allErrors: true });
/** The root schema: one export object, or an array of them (several images). */
const validateDocument = ajv.compile(schema);
/** `#/$defs/export`, the documented entry point for one image's export. */
const validateExport = ajv.getSchema(`${schema.$id}#/$defs/export`)!;

function expectValid(validate: ValidateFunction, data: unknown, what: string): void {
  const ok = validate(data);
  expect(ok, `${what}: the export does not match schema/export-v1.schema.json: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

/** Runs the built CLI with `--json -` (CI unset, the run's own throwaway cache) and parses stdout. */
function exportOf<T = ExportV1>(args: string[], ci: boolean): T {
  const r = runCli([...(ci ? ['--ci'] : []), '--json', '-', '--quiet', ...args], { env: { CI: '' } });
  // without --ci no rule is evaluated, so 0; with --ci, 1 only means a rule failed; 2 never
  expect(ci ? [0, 1] : [0], `${ci ? '--ci ' : ''}${args.join(' ')} exited ${r.code}: ${r.stderr}`).toContain(r.code);
  return JSON.parse(r.stdout) as T;
}

/**
 * One image, twice: plain (a cold analysis that fills the cache) and --ci (the figures come back
 * from the result cache where the image qualifies). Both exports must match the schema, be one
 * object, carry `rules` exactly in CI mode, and agree on everything else.
 */
function checkImage(args: string[]): void {
  const plain = exportOf(args, false);
  expect(Array.isArray(plain)).toBe(false);
  expectValid(validateExport, plain, args.join(' '));
  expectValid(validateDocument, plain, `${args.join(' ')} (root schema)`);
  expect(plain).not.toHaveProperty('rules');

  const ci = exportOf(args, true);
  expect(Array.isArray(ci)).toBe(false);
  expectValid(validateExport, ci, `--ci ${args.join(' ')}`);
  expect(ci.rules?.map((r) => r.name)).toEqual(['highestUserWastedPercent', 'highestWastedBytes', 'lowestEfficiency']);
  const { rules: _rules, ...rest } = ci;
  expect(rest).toEqual(plain);
}

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

let exampleCi: ExportV1 | undefined;
/** A fresh copy of the example's --ci export: the real document the rejection cases start from. */
function exampleExport(): ExportV1 {
  exampleCi ??= exportOf<ExportV1>([EXAMPLE], true);
  return structuredClone(exampleCi);
}

describe('the JSON export matches schema/export-v1.schema.json', () => {
  it('is draft 2020-12, compiled in ajv strict mode (above, at import), and ships in the package', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$defs.export.properties.schemaVersion.const).toBe(1);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
  });

  it('on the example image (five layers, rules failing: exit 1 with --ci)', () => {
    checkImage([EXAMPLE]);
  });

  it('as an array when several images are given, validated through the root schema', () => {
    // the same archive named twice, once with its transport: two elements, in argument order
    const both = exportOf<ExportV1[]>([EXAMPLE, `docker-archive:${path.relative(ROOT, EXAMPLE)}`], true);
    expect(both).toHaveLength(2);
    expectValid(validateDocument, both, 'two images');
    expect(both.map((e) => e.image.reference)).toEqual([`docker-archive:${EXAMPLE}`, 'docker-archive:examples/example-image.tar']);
  });

  it('with path rules and an ignore list from .dive-ci: `ignored`, the path rules and their offenders', () => {
    const dir = tmpDir();
    writeFileSync(
      path.join(dir, '.dive-ci'),
      "paths:\n  ignore: ['/usr/lib/**']\n  block: ['/usr/bin/**']\n  denyWaste: ['/src/**']\n  maxFileSize: 1kB\n  maxLayerCount: 3\n",
    );
    const r = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { cwd: dir, env: { CI: '' } });
    expect(r.code, r.stderr).toBe(1);
    const e = JSON.parse(r.stdout) as ExportV1;
    expectValid(validateExport, e, 'the example with path rules');
    expect(e.ignored!.paths).toBeGreaterThan(0);
    expect(e.inefficientFiles.some((f) => f.path.startsWith('/usr/lib/'))).toBe(false);
    expect(e.rules!.map((x) => `${x.name}:${x.status}`)).toEqual([
      'highestUserWastedPercent:fail', 'highestWastedBytes:skip', 'lowestEfficiency:fail',
      'paths.block:fail', 'paths.denyWaste:fail', 'paths.maxFileSize:fail', 'paths.maxLayerCount:fail',
    ]);
    const block = e.rules!.find((x) => x.name === 'paths.block')!;
    expect(block.threshold).toBeNull();
    expect(block.offenders!.map((o) => o.path)).toEqual(['/usr/bin']);
    expect(block.offenderCount).toBe(1);
    // damaged: an offender path that is not absolute, more than 20 offenders, a threshold on a glob rule
    const bad = structuredClone(e);
    bad.rules!.find((x) => x.name === 'paths.block')!.offenders![0]!.path = 'usr/bin';
    expect(validateExport(bad)).toBe(false);
    const many = structuredClone(e);
    const b = many.rules!.find((x) => x.name === 'paths.block')!;
    b.offenders = Array.from({ length: 21 }, (_, i) => ({ path: `/f${i}`, layer: 0, sizeBytes: 1 }));
    expect(validateExport(many)).toBe(false);
    const threshold = structuredClone(e);
    threshold.rules!.find((x) => x.name === 'paths.denyWaste')!.threshold = 1;
    expect(validateExport(threshold)).toBe(false);
  });

  describe('and the schema is not vacuous: a real export, damaged, is rejected', () => {
    // Object.assign writes what the ExportV1 type would refuse: that is the point
    it.each<[string, (e: ExportV1) => void, RegExp]>([
      // a required key deleted
      ['without summary.fileCount', (e) => delete (e.summary as { fileCount?: number }).fileCount, /data\/summary must have required property 'fileCount'/],
      // a wrong type: a byte count as a string
      ['with summary.sizeBytes as a string', (e) => Object.assign(e.summary, { sizeBytes: String(e.summary.sizeBytes) }), /data\/summary\/sizeBytes must be integer/],
      // an unknown top-level key (additionalProperties: false at the root of an export)
      ['with an unknown top-level key', (e) => Object.assign(e, { generatedAt: '2025-01-01T00:00:00Z' }), /(^|, )data must NOT have additional properties/],
      // an unknown key deeper down, in a layer
      ['with an unknown key in a layer', (e) => Object.assign(e.layers[0]!, { created: '2025-01-01T00:00:00Z' }), /data\/layers\/0 must NOT have additional properties/],
      // byte counts are integers
      ['with a fractional layer size', (e) => (e.layers[0]!.sizeBytes += 0.5), /data\/layers\/0\/sizeBytes must be integer/],
      // another version is another schema
      ['with schemaVersion 2', (e) => Object.assign(e, { schemaVersion: 2 }), /data\/schemaVersion must be equal to constant/],
      // a digest field holds a digest, not bare hex
      ['with a diffId missing its algorithm', (e) => (e.layers[0]!.diffId = e.layers[0]!.diffId!.replace(/^sha256:/, '')), /data\/layers\/0\/diffId must match pattern/],
      // every finding says whether the base wrote its bytes, and names at most five owners, each with manager and name
      ['with a finding without fromBase', (e) => delete (e.findings[0] as { fromBase?: boolean }).fromBase, /data\/findings\/0 must have required property 'fromBase'/],
      ['with a finding of six owners', (e) => (e.findings[0]!.owners = Array.from({ length: 6 }, (_, i) => ({ manager: 'dpkg', name: `p${i}` }))), /data\/findings\/0\/owners must NOT have more than 5 items/],
      ['with an owner without a name', (e) => Object.assign(e.findings[0]!, { owners: [{ manager: 'dpkg' }] }), /data\/findings\/0\/owners\/0 must have required property 'name'/],
      // null only where the code emits null
      ['with a null efficiency', (e) => Object.assign(e.summary, { efficiency: null }), /data\/summary\/efficiency must be number/],
      // the rule statuses are a closed set
      ['with a rule status "error"', (e) => Object.assign(e.rules![0]!, { status: 'error' }), /data\/rules\/0\/status must be equal to one of the allowed values/],
      // a failed rule always has its figure (the example fails highestUserWastedPercent)
      ['with a failed rule without its actual figure', (e) => (e.rules!.find((r) => r.status === 'fail')!.actual = null), /data\/rules\/\d\/actual must be number/],
      // a disabled rule has no threshold (the example leaves highestWastedBytes disabled)
      ['with a skipped rule that has a threshold', (e) => (e.rules!.find((r) => r.status === 'skip')!.threshold = 1), /data\/rules\/\d\/threshold must be null/],
    ])('%s', (_name, damage, message) => {
      const e = exampleExport();
      expectValid(validateExport, e, 'the undamaged example'); // control: the copy was valid before
      damage(e);
      expect(validateExport(e)).toBe(false);
      expect(ajv.errorsText(validateExport.errors)).toMatch(message);
      // the root schema rejects it too, alone and as an array element
      expect(validateDocument(e)).toBe(false);
      expect(validateDocument([exampleExport(), e])).toBe(false);
      expect(ajv.errorsText(validateDocument.errors)).toMatch(/data\/1/);
    });

    it('an empty array (several images give at least one export) and a bare string are rejected', () => {
      expect(validateDocument([])).toBe(false);
      expect(ajv.errorsText(validateDocument.errors)).toMatch(/data must NOT have fewer than 1 items/);
      expect(validateDocument('{}')).toBe(false);
    });
  });
});

describe.skipIf(!FIXTURES)(`the JSON export of every image fixture matches the schema${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  const F = FIXTURES ?? '';
  const dive = (p: string) => path.join(F, 'dive', p);
  const img = (p: string) => path.join(F, 'images', p);

  it.each<[string, string[]]>([
    // legacy `docker save` (14 layers, file whiteouts): no blob digests (layers[].digest null), no image digest
    ['dive: legacy docker save', [dive('test-docker-image.tar')]],
    // kaniko's docker-archive with gzip `<hex>.tar.gz` layers
    ['dive: kaniko gzip layers', [dive('test-kaniko-image.tar')]],
    // single-layer OCI archives: userWastedPercent null, so highestUserWastedPercent's actual is null
    ['dive: OCI, uncompressed layer', [dive('test-oci-uncompressed-image.tar')]],
    ['dive: OCI, gzip layer', [dive('test-oci-gzip-image.tar')]],
    ['dive: OCI, zstd layer', [dive('test-oci-zstd-image.tar')]],
    // eStargz: a gzip-compatible layer with a TOC
    ['dive: OCI, eStargz layer', [dive('test-oci-estargz-image.tar')]],
    // skopeo/podman docker-archive, named with its transport: symlinked layer entries, digests null
    ['edge: docker-archive (skopeo)', [`docker-archive:${img('edge.docker-archive.tar')}`]],
    // Docker 25+ save, sniffed: blob digests present, but no manifest digest for the image
    ['edge: Docker 25 save (sniffed)', [img('edge.docker25-save.tar')]],
    // OCI archive, gzip layers: every digest present
    ['edge: oci-archive', [`oci-archive:${img('edge.oci-archive.tar')}`]],
    // OCI archive, zstd layers
    ['edge: oci-archive, zstd', [`oci-archive:${img('edge.oci-zstd.tar')}`]],
    // an OCI layout directory, with its transport and sniffed as a bare path
    ['edge: oci layout directory', [`oci:${img('edge-oci-layout')}`]],
    ['edge: oci layout directory (sniffed)', [img('edge-oci-layout')]],
    // an opaque whiteout: more inefficient files, deletedLaterBytes
    ['edge-opaque: opaque whiteout', [img('edge-opaque.oci-archive.tar')]],
    // an image index: the default platform, then each one named with --platform
    ['multiarch: default platform', [img('multiarch.oci-archive.tar')]],
    ['multiarch: --platform linux/amd64', ['--platform', 'linux/amd64', img('multiarch.oci-archive.tar')]],
    ['multiarch: --platform linux/arm64', ['--platform', 'linux/arm64', img('multiarch.oci-archive.tar')]],
  ])('%s', (_name, args) => {
    checkImage(args);
  });

  it('as an array over a glob and over mixed formats', () => {
    // the README's form: a glob (relative to the working directory) expanded to four OCI archives
    const glob = exportOf<ExportV1[]>([`${path.relative(ROOT, dive('test-oci-'))}*-image.tar`], true);
    expect(glob).toHaveLength(4);
    expectValid(validateDocument, glob, 'a glob over dive/test-oci-*-image.tar');
    // a legacy docker save, an OCI layout directory and an image index, in one run
    const mixed = exportOf<ExportV1[]>([dive('test-docker-image.tar'), `oci:${img('edge-oci-layout')}`, img('multiarch.oci-archive.tar')], true);
    expect(mixed.map((e) => e.image.source)).toEqual(['docker-archive', 'oci', 'oci-archive']);
    expectValid(validateDocument, mixed, 'three images of different formats');
  });
});
