/**
 * Publish: the operations the CI side and operators run against a registry, composed from src/oci (the
 * distribution client) and src/artifact (the Flux artifact format): push (with diff-tag skipping and
 * immutable semver tags), pull, tag, list, diff, release (D2 tags from git/GitHub context), promote and
 * rollback. Results are plain data objects; nothing here prints, reads the environment or exits.
 * Signing and signature verification live in src/sign; promote takes a `verify` hook for it.
 */
export {
  type ArtifactManifest,
  findTagDigest,
  getArtifactManifest,
  isSemverTag,
  type OpOptions,
} from "./common.ts";
export { type DiffOptions, type DiffResult, diffArtifact } from "./diff.ts";
export {
  ImmutableTagError,
  NoPreviousVersionError,
  NotAnArtifactError,
  ReleaseContextError,
  VersionNotFoundError,
} from "./errors.ts";
export { type ListedArtifact, type ListOptions, listArtifacts, selectTags } from "./list.ts";
export { type PromoteOptions, type PromoteResult, promoteArtifact } from "./promote.ts";
export { type PullOptions, type PullResult, pullArtifact } from "./pull.ts";
export { type PushOptions, type PushOutcome, type PushResult, pushArtifact } from "./push.ts";
export { type ReleaseOptions, type ReleaseResult, releaseArtifact } from "./release.ts";
export {
  branchTagPrefix,
  contextFromGit,
  contextFromGitHubEnv,
  type GitContext,
  type PlanOptions,
  planRelease,
  type ReleasePlan,
} from "./release-plan.ts";
export { type RollbackOptions, type RollbackResult, rollbackArtifact } from "./rollback.ts";
export { type TagMove, type TagOptions, type TagResult, tagArtifact } from "./tag.ts";
