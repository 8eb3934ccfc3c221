/**
 * OCIRepository controller (`source.toolkit.fluxcd.io/v1`): pulls, verifies and stores OCI artifacts the
 * way Flux's source-controller does, with the same status, conditions, reasons and events.
 *
 * Does: `ref` resolution (digest > semver + semverFilter > tag > latest), pull secrets (`secretRef`,
 * `serviceAccountName`), `insecure`, `timeout`, `interval`, `suspend`, `ignore`, `layerSelector`, cosign
 * verification (keys or keyless identities) through src/sign, content-addressed storage through
 * src/store, a finalizer that releases the artifact, `reconcile.fluxcd.io/requestedAt`.
 * Does not: cloud `provider` auth (aws, azure, gcp are reported as not supported), notation, `certSecretRef`
 * and `proxySecretRef`, or serve artifacts over HTTP (consumers read the store in-process).
 */
export {
  type OCIRepositoryController,
  type OCIRepositoryControllerOptions,
  ociRepositoryController,
  referencedSecrets,
} from "./controller.ts";
export { type FailureCondition, OCIRepositoryError, Reasons } from "./errors.ts";
// The fetch the fleet view shares with the reconciler (same store layout and keys).
export {
  ARTIFACT_FILE,
  artifactContentDir,
  CONTENT_DIR,
  fetchIntoStore,
  type LayerSelector,
  type StoredArtifactMeta,
  storeKey,
} from "./fetch.ts";
export {
  OCIRepositoryReconciler,
  type OCIRepositoryReconcilerOptions,
  type ReconcileLogger,
} from "./reconciler.ts";
export { type Artifact, durationMs, FINALIZER, type OCIRepositoryStatus, REQUESTED_AT } from "./status.ts";
