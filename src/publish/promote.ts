/**
 * promote: moves a channel tag (e.g. `latest-stable`) to the artifact an existing version tag points at,
 * after an optional verification hook (signature checks plug in here), and reports the move.
 */
import { formatReference, type OciClient, type Reference } from "../oci/index.ts";
import { findTagDigest, type OpOptions, repoName } from "./common.ts";
import { VersionNotFoundError } from "./errors.ts";
import { tagArtifact } from "./tag.ts";

export interface PromoteOptions extends OpOptions {
  /** Tag to move. */
  to: string;
  /** Called with the manifest digest before the tag moves; throw to refuse the promotion. */
  verify?: ((digest: string, ref: Reference) => Promise<void>) | undefined;
}

export interface PromoteResult {
  repository: string;
  version: string;
  tag: string;
  /** Digest the tag pointed at before, undefined when it did not exist. */
  from?: string | undefined;
  to: string;
  moved: boolean;
}

export async function promoteArtifact(
  client: OciClient,
  version: Reference,
  opts: PromoteOptions,
): Promise<PromoteResult> {
  const tag = version.tag;
  if (!tag)
    throw new VersionNotFoundError(formatReference(version), "give the version as oci://host/repo:vX.Y.Z");
  const digest = await findTagDigest(client, version, tag, opts);
  if (!digest) {
    throw new VersionNotFoundError(
      formatReference(version),
      "check the version with `ferry list artifacts`; only an existing version can be promoted",
    );
  }
  const pinned: Reference = { registry: version.registry, repository: version.repository, digest };
  await opts.verify?.(digest, pinned);
  // Channel tags move freely: force only matters for semver tags, and a channel tag is not one.
  const res = await tagArtifact(client, pinned, [opts.to], { signal: opts.signal, force: false });
  const move = res.tags[0];
  return {
    repository: repoName(version),
    version: tag,
    tag: opts.to,
    from: move?.from,
    to: digest,
    moved: move?.moved ?? false,
  };
}
