import { formatReference } from '../../reference/index.js';
import type { ImageSource } from '../image-source.js';
import { openArchiveBundle } from '../oci/archive-file.js';
import { openOciLayoutBundle } from '../oci-layout/index.js';

/** `oci-archive:PATH[:REF]`: a tar of an OCI image layout (the layout reader over the tar's members). */
export const ociArchiveSource: ImageSource<'oci-archive'> = {
  transport: 'oci-archive',
  async open(ref, settings) {
    const bundle = await openArchiveBundle(ref.path, settings);
    return openOciLayoutBundle(bundle, { ref: ref.ref, platform: settings.platform, reference: formatReference(ref), source: 'oci-archive' });
  },
};
