/** Typed errors of the publish operations. */
import { FerryError, UsageError } from "../errors/index.ts";

/** A semver tag already points at different content; semver tags are immutable unless forced. */
export class ImmutableTagError extends FerryError {
  override name = "ImmutableTagError";
  readonly reference: string;
  readonly existingDigest: string;
  constructor(reference: string, existingDigest: string) {
    super(
      `${reference} already exists with different content (${existingDigest}): semver tags are never overwritten; publish a new version, or pass --force to overwrite it`,
    );
    this.reference = reference;
    this.existingDigest = existingDigest;
  }
}

/** A version asked for by promote or rollback does not exist in the repository. */
export class VersionNotFoundError extends UsageError {
  override name = "VersionNotFoundError";
  readonly reference: string;
  constructor(reference: string, hint: string) {
    super(`${reference} does not exist: ${hint}`);
    this.reference = reference;
  }
}

/** Rollback has nothing to go back to. */
export class NoPreviousVersionError extends FerryError {
  override name = "NoPreviousVersionError";
  readonly repository: string;
  constructor(repository: string, detail: string) {
    super(`cannot roll back ${repository}: ${detail}; pass --to vX.Y.Z to choose the version explicitly`);
    this.repository = repository;
  }
}

/** The manifest is not something Ferry can pull as a Flux artifact (an index, or no layers). */
export class NotAnArtifactError extends FerryError {
  override name = "NotAnArtifactError";
  readonly reference: string;
  constructor(reference: string, problem: string) {
    super(
      `${reference} is not a Flux artifact (${problem}): check the reference, or push it with ferry/flux push artifact`,
    );
    this.reference = reference;
  }
}

/** The git or CI context cannot be turned into a release. */
export class ReleaseContextError extends UsageError {
  override name = "ReleaseContextError";
  readonly ref: string;
  constructor(ref: string, problem: string) {
    super(`cannot release from ${ref || "(no git ref)"}: ${problem}`);
    this.ref = ref;
  }
}
