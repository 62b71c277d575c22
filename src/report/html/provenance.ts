import type { FileTree } from '../../core/index.js';
import type { ImageSources } from '../../provenance/index.js';
import { describePackageWarning, type ImagePackages, type PackageRef, type PackageSummary } from '../../packages/index.js';
import type { ReportProvenance } from './image-page.js';

/**
 * The page's Dockerfile line of each of `layerCount` layers (null for a base layer, a squashed
 * one, or when no Dockerfile or build provenance located it), from the lines the lifecycle found.
 */
export function layerSources(sources: ImageSources | null | undefined, layerCount: number): Pick<ReportProvenance, 'layerSources'> {
  if (!sources) return {};
  return { layerSources: Array.from({ length: layerCount }, (_, i) => sources.layers[i]?.source ?? null) };
}

/** A package as the page names an owner: `manager name version`. */
export function ownerLabel(p: PackageRef): string {
  return `${p.manager} ${p.name} ${p.version}`;
}

/**
 * The page's facts from what an image's package databases say: its packages, the databases not
 * read and, when the owner lookups are at hand (`ImagePackages`, not the plain `PackageSummary`
 * the result cache keeps), the owner of each path of the final filesystem. Owners are left out
 * when no package was found or a database was not read: the page would then say "no package"
 * of files whose owner is unknown. `tree` is the analysis the packages were read with: the page
 * asks by path, so an analysis without ignored paths (whose path ids differ) is answered all the
 * same.
 */
export function packageProvenance(tree: FileTree, pk: PackageSummary | ImagePackages): Pick<ReportProvenance, 'ownerOf' | 'packages' | 'packageNotes'> {
  const owners = 'finalOwner' in pk && pk.packages.length > 0 && pk.warnings.length === 0 ? pk : undefined;
  return {
    packages: pk.packages,
    packageNotes: pk.warnings.map(describePackageWarning),
    ...(owners
      ? {
          ownerOf: (path: string) => {
            const id = tree.find(path.startsWith('/') ? path.slice(1) : path);
            const o = id === undefined ? undefined : owners.finalOwner(id);
            return o && ownerLabel(o);
          },
        }
      : {}),
  };
}
