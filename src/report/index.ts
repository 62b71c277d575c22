/**
 * Everything written about an image or a comparison: the CI verdict and its text report, the
 * JSON exports (ours and dive's), the comparison report, the report formats (JUnit, SARIF,
 * GitHub, Markdown, Code Quality…) and the HTML page. The only module other folders import
 * from `report/`.
 */
export { formatCiReport } from './ci-report.js';
export type { CiOutcome, ImageResult } from './ci-result.js';
export { formatDiffReport, toDiffExport } from './diff-report.js';
export type { DiffExportV1 } from './diff-report.js';
export { REPORT_FORMATS, reportFormat } from './formats.js';
export type { ReportFormat } from './formats.js';
export { toDiveExport, toExportV1 } from './json-export.js';
export type { DiveExport, ExportV1 } from './json-export.js';
export { comparisonPage, imageView, layerSources, packageProvenance, readPageClient, renderHtmlReport } from './html/index.js';
export type { ImageView, PageImage, ReportProvenance } from './html/index.js';
