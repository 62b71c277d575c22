import { formatPlatform } from '../reference/platform.js';
import type { AnalysisSummary as Analysis } from '../core/analyze.js';
import type { RuleResult } from '../core/rules/rules.js';

/** The versioned JSON export (schemaVersion 1). Field names match the Analysis. */
export type ExportV1 = {
  schemaVersion: 1;
  image: { reference: string; source: string; platform: string | null; digest: string | null };
  summary: {
    efficiency: number;
    sizeBytes: number;
    userSizeBytes: number;
    wastedBytes: number;
    userWastedPercent: number | null;
    layerCount: number;
    fileCount: number;
    reclaimable: {
      overwrittenBytes: number;
      deletedLaterBytes: number;
      metadataOnlyBytes: number;
      duplicateContentBytes: number;
      totalBytes: number;
    };
  };
  inefficientFiles: { path: string; count: number; wastedBytes: number }[];
  layers: {
    index: number;
    digest: string | null;
    diffId: string | null;
    command: string;
    sizeBytes: number;
    compressedSizeBytes: number | null;
    mediaType: string | null;
    changes: { added: number; modified: number; removed: number; unmodified: number };
  }[];
  rules?: { name: string; status: 'pass' | 'fail' | 'skip'; threshold: number | null; actual: number | null }[];
};

export function toExportV1(a: Analysis, rules?: readonly RuleResult[]): ExportV1 {
  const out: ExportV1 = {
    schemaVersion: 1,
    image: {
      reference: a.identity.reference,
      source: a.identity.source,
      platform: a.identity.platform ? formatPlatform(a.identity.platform) : null,
      digest: a.identity.digest ?? null,
    },
    summary: {
      efficiency: a.efficiency,
      sizeBytes: a.sizeBytes,
      userSizeBytes: a.userSizeBytes,
      wastedBytes: a.wastedBytes,
      userWastedPercent: a.userWastedPercent,
      layerCount: a.layers.length,
      fileCount: a.fileCount,
      reclaimable: { ...a.reclaimable },
    },
    inefficientFiles: a.inefficientFiles.map((f) => ({ path: f.path, count: f.count, wastedBytes: f.wastedBytes })),
    layers: a.layers.map((l) => ({
      index: l.index,
      digest: l.digest ?? null,
      diffId: l.diffId ?? null,
      command: l.command,
      sizeBytes: l.sizeBytes,
      compressedSizeBytes: l.compressedSizeBytes ?? null,
      mediaType: l.mediaType ?? null,
      changes: { ...l.changes },
    })),
  };
  if (rules) out.rules = rules.map((r) => ({ name: r.name, status: r.status, threshold: r.threshold, actual: r.actual }));
  return out;
}

/** dive's `--json` export shape (`layer`, `image.fileReference`), for tools that already read it. */
export type DiveExport = {
  layer: { index: number; id: string; digestId: string; sizeBytes: number; command: string }[];
  image: {
    sizeBytes: number;
    inefficientBytes: number;
    efficiencyScore: number;
    fileReference: { count: number; sizeBytes: number; file: string }[];
  };
};

export function toDiveExport(a: Analysis): DiveExport {
  return {
    layer: a.layers.map((l) => ({
      index: l.index,
      id: (l.digest ?? l.diffId ?? '').replace(/^sha256:/, ''),
      digestId: l.diffId ?? l.digest ?? '',
      sizeBytes: l.sizeBytes,
      command: l.createdBy ?? '',
    })),
    image: {
      sizeBytes: a.sizeBytes,
      inefficientBytes: a.wastedBytes,
      efficiencyScore: a.efficiency,
      fileReference: a.inefficientFiles.map((f) => ({ count: f.count, sizeBytes: f.wastedBytes, file: f.path })),
    },
  };
}
