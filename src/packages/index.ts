/**
 * Who owns every file: the package databases of each layer (dpkg, apk, rpm, pip, npm) read into
 * the packages of the final filesystem, each layer's package changes and the owner of any path
 * at any layer. Pure like the core: the caller reads the database bodies the plan asks for.
 *
 * Use: `plan = planPackageReads(index)`; read the body of every `plan.requests` entry;
 * `await readPackages({ plan, bodies, sqliteWasm })`.
 */
export * from './model.js';
export { packageFileKind, planPackageReads } from './locate.js';
export type { PackageFileRequest, PackageReadPlan } from './locate.js';
export { readPackages } from './read-packages.js';
export type { ImagePackages, PackageInput } from './read-packages.js';
export { SQLITE_WASM_MODULE } from './rpm.js';
export { compareVersions, compareDpkgVersions, compareRpmVersions } from './version.js';
export { comparePackages, packageIdentity } from './compare.js';
export type { ChangedOwners, PackageChangeKind, PackageDiff } from './compare.js';
