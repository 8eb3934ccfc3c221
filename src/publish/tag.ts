/**
 * tag: points more tags at the manifest a tag or digest points at (the manifest bytes are re-put as they
 * are, so the digest does not change). Reports where each tag pointed before. An existing semver tag is
 * not moved to another digest unless forced.
 */
import { formatReference, type OciClient, type Reference, withTag } from "../oci/index.ts";
import { findTagDigest, isSemverTag, type OpOptions, repoName } from "./common.ts";
import { ImmutableTagError } from "./errors.ts";

export interface TagOptions extends OpOptions {
  /** Move semver tags that already point elsewhere. */
  force?: boolean | undefined;
}

export interface TagMove {
  tag: string;
  /** Digest the tag pointed at before, undefined when it is new. */
  from?: string | undefined;
  to: string;
  /** False when the tag already pointed at the digest. */
  moved: boolean;
}

export interface TagResult {
  repository: string;
  digest: string;
  url: string;
  tags: TagMove[];
}

export async function tagArtifact(
  client: OciClient,
  source: Reference,
  tags: readonly string[],
  opts: TagOptions = {},
): Promise<TagResult> {
  const res = await client.getManifest(source, { signal: opts.signal });
  const repository = repoName(source);
  const moves: TagMove[] = [];
  const plans: Array<{ tag: string; from: string | undefined }> = [];
  for (const tag of tags) {
    const from = await findTagDigest(client, source, tag, opts);
    if (from && from !== res.digest && isSemverTag(tag) && !opts.force) {
      throw new ImmutableTagError(formatReference(withTag(source, tag)), from);
    }
    plans.push({ tag, from });
  }
  for (const { tag, from } of plans) {
    if (from !== res.digest) {
      await client.putManifest(withTag(source, tag), res.bytes, {
        mediaType: res.mediaType,
        signal: opts.signal,
      });
    }
    moves.push({ tag, from, to: res.digest, moved: from !== res.digest });
  }
  return { repository, digest: res.digest, url: `${repository}@${res.digest}`, tags: moves };
}
