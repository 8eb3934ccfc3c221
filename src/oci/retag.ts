/** Moving tags: put the exact manifest bytes a reference points at under another tag of the same repository. */
import type { ClientCore, SignalOptions } from "./core.ts";
import { getManifest, manifestExists, putManifest } from "./manifests.ts";
import type { Reference } from "./reference.ts";

export interface TagResult {
  digest: string;
  mediaType: string;
  /** The tag's previous digest, or undefined when the tag is new. */
  previous: string | undefined;
  tag: string;
}

/**
 * Points `tag` at the manifest `ref` resolves to (same bytes, same digest). Reports where the tag pointed
 * before, so callers can print "from → to" and skip a no-op move.
 */
export async function tagManifest(
  core: ClientCore,
  ref: Reference,
  tag: string,
  opts: SignalOptions = {},
): Promise<TagResult> {
  const source = await getManifest(core, ref, opts);
  const target: Reference = { registry: ref.registry, repository: ref.repository, tag };
  const previous = (await manifestExists(core, target, opts))?.digest;
  if (previous !== source.digest) {
    await putManifest(core, target, source.bytes, { mediaType: source.mediaType, signal: opts.signal });
  }
  return { digest: source.digest, mediaType: source.mediaType, previous, tag };
}
