/**
 * rollback: moves a channel tag (default `latest-stable`) back to an earlier version. Without an explicit
 * version, the target is the highest stable semver tag below the version the channel points at now.
 */
import { type OciClient, type Reference, withTag } from "../oci/index.ts";
import { compare, parseVersion, sortTagsDescending } from "../semver/index.ts";
import { findTagDigest, type OpOptions, repoName } from "./common.ts";
import { NoPreviousVersionError } from "./errors.ts";
import { type PromoteResult, promoteArtifact } from "./promote.ts";

export interface RollbackOptions extends OpOptions {
  /** Channel tag to move. Default `latest-stable`. */
  tag?: string | undefined;
  /** Version to go back to; default the previous one. */
  to?: string | undefined;
  verify?: ((digest: string, ref: Reference) => Promise<void>) | undefined;
}

export interface RollbackResult extends PromoteResult {
  /** The version the channel pointed at before, when one matched its digest. */
  previousVersion?: string | undefined;
}

/** The versions (stable semver tags, highest first) and the one among them a digest belongs to. */
async function currentVersion(
  client: OciClient,
  repo: Reference,
  digest: string,
  opts: OpOptions,
): Promise<{ versions: string[]; current: string | undefined }> {
  const versions = sortTagsDescending(await client.listTags(repo, { signal: opts.signal }))
    .filter((v) => v.version.prerelease === "")
    .map((v) => v.tag);
  for (const tag of versions) {
    if ((await findTagDigest(client, repo, tag, opts)) === digest) return { versions, current: tag };
  }
  return { versions, current: undefined };
}

export async function rollbackArtifact(
  client: OciClient,
  repo: Reference,
  opts: RollbackOptions = {},
): Promise<RollbackResult> {
  const channel = opts.tag ?? "latest-stable";
  const name = repoName(repo);
  const channelDigest = await findTagDigest(client, repo, channel, opts);
  let target = opts.to;
  let previousVersion: string | undefined;
  if (channelDigest) {
    const { versions, current } = await currentVersion(client, repo, channelDigest, opts);
    previousVersion = current;
    if (target === undefined) {
      if (!current)
        throw new NoPreviousVersionError(
          name,
          `${channel} points at ${channelDigest}, which no semver tag shares`,
        );
      const cur = parseVersion(current);
      target = versions.find((t) => {
        const v = parseVersion(t);
        return v !== undefined && cur !== undefined && compare(v, cur) < 0;
      });
      if (!target)
        throw new NoPreviousVersionError(name, `${current} is the lowest version, there is no previous one`);
    }
  } else if (target === undefined) {
    throw new NoPreviousVersionError(name, `the tag ${channel} does not exist`);
  }
  const res = await promoteArtifact(client, withTag(repo, target), {
    to: channel,
    verify: opts.verify,
    signal: opts.signal,
  });
  return { ...res, previousVersion };
}
