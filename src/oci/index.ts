/**
 * OCI distribution client: references, auth (anonymous, basic, bearer token flow; credentials from
 * --creds, env, Docker config and credential helpers), blobs (verified streaming download, monolithic and
 * chunked upload), manifests (OCI and Docker schema 2 on read), tags with pagination, referrers with the
 * tag-schema fallback, retries with backoff, timeouts and cancellation, typed errors.
 *
 * It does not know the Flux artifact format, tarballs or signatures (see src/artifact, src/sign), and it
 * does not read the environment or the user's home: callers pass credentials and paths in.
 */
export type { BlobReadOptions } from "./blobs.ts";
export { OciClient, type OciClientOptions, type RefLike } from "./client.ts";
export type { SignalOptions } from "./core.ts";
export { CredentialHelperError, credentialHelperGet } from "./credential-helper.ts";
export {
  anonymous,
  type Credential,
  type CredentialProvider,
  chainCredentials,
  envCredentials,
  staticCredentials,
} from "./credentials.ts";
export { digestAlgorithm, digestLike, fileDigest, sha256Digest, VerifyingStream } from "./digest.ts";
export { type DockerConfigOptions, dockerConfigCredentials } from "./docker-config.ts";
export {
  AuthenticationError,
  ContentTooLargeError,
  DigestMismatchError,
  NotFoundError,
  type NotFoundKind,
  RegistryError,
  type RegistryErrorCode,
  RegistryUnreachableError,
  RequestTimeoutError,
  UnsupportedMediaTypeError,
} from "./errors.ts";
export type {
  GetManifestOptions,
  ManifestHead,
  ManifestResult,
  PutManifestOptions,
  PutManifestResult,
} from "./manifests.ts";
export {
  type Descriptor,
  emptyConfig,
  type ImageIndex,
  type ImageManifest,
  isIndex,
  type Manifest,
  MediaTypes,
  manifestMediaTypes,
} from "./media-types.ts";
export {
  digestProblem,
  formatReference,
  InvalidReferenceError,
  isLoopback,
  type ParseReferenceOptions,
  parseReference,
  type Reference,
  registryBaseUrl,
  withDigest,
  withTag,
} from "./reference.ts";
export {
  fallbackTag,
  type PushReferrerResult,
  type ReferrersOptions,
  type ReferrersResult,
} from "./referrers.ts";
export type { TagResult } from "./retag.ts";
export type { RetryOptions } from "./retry.ts";
export type { ListTagsOptions } from "./tags.ts";
export type { BlobSource, PushBlobOptions, PushBlobResult } from "./upload.ts";
