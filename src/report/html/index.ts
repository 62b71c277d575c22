/**
 * The HTML report (`--report html=FILE`): the page data of an image or a comparison, and the
 * self-contained page that draws it.
 */
export { imageView, type ReportProvenance } from './image-page.js';
export { comparisonPage } from './comparison-page.js';
export { layerSources, packageProvenance, ownerLabel } from './provenance.js';
export { renderHtmlReport, readPageClient, escapeHtml, scriptSafeJson, contentSecurityPolicy, PAGE_CLIENT_FILE } from './render.js';
export { NODE_BUDGET } from './size-tree.js';
export { PAGE_DATA_VERSION, type PageData, type ImagesPage, type ComparisonPage, type ImageView, type UnreadableView } from './page-data.js';

import type { ImagesPage, ImageView, UnreadableView } from './page-data.js';
import { PAGE_DATA_VERSION } from './page-data.js';
import { clip, MAX_NAME, MAX_TEXT } from './size-tree.js';

/** One image of a CI run for the page: its page data, or the argument that could not be read and why. */
export type PageImage = ImageView | { readonly kind: 'unreadable'; readonly reference: string; readonly message: string };

/** The page data of a CI run: every image analysed (or not readable), in order. */
export function imagesPage(images: readonly PageImage[], tool = 'inspect-tui'): ImagesPage {
  return {
    version: PAGE_DATA_VERSION,
    kind: 'images',
    tool: clip(tool, MAX_NAME),
    images: images.map((i): ImageView | UnreadableView => (i.kind === 'analysed' ? i : { kind: 'unreadable', reference: clip(i.reference, MAX_TEXT), message: clip(i.message, MAX_TEXT) })),
  };
}
