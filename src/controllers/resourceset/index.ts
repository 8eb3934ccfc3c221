/**
 * ResourceSet controller (`fluxcd.controlplane.io/v1`): expands a ResourceSet's templates over its inputs
 * and applies the result the way flux-operator does, with the same status, conditions, reasons and events.
 *
 * Does: in-line `inputs` and `inputsFrom` (ResourceSetInputProviders by name or label selector, their
 * `status.exportedInputs`), `inputStrategy`, `resources`, `resourcesTemplate`, `steps`, `commonMetadata`,
 * `dependsOn` (`ready`, `readyExpr` in CEL), `serviceAccountName` impersonation (else flux-operator's
 * default service account, an option), `wait`; the annotations
 * `reconcile: disabled`, `reconcileEvery`, `reconcileTimeout`, `force`, `prune: disabled`, `copyFrom`,
 * `convertKubeConfigFrom`, `checksumFrom` (with `status.externalChecksumRefs`) and Jobs'
 * `recreateOnFailure`; inventory and prune through src/kube, `status.history`, a finalizer that prunes on
 * deletion, `reconcile.fluxcd.io/requestedAt`; re-renders at once when a source labelled
 * `reconcile.fluxcd.io/watch: Enabled` changes.
 * Does not: see changes of unlabelled sources, or of copy sources outside the agent's namespace scope,
 * before the next reconcile, or cancel a health wait when the set changes.
 */

export { CHECKSUM, CHECKSUM_FROM, ChecksumResolver } from "./checksum.ts";
export {
  type ResourceSetController,
  type ResourceSetControllerOptions,
  resourceSetController,
  selectsProvider,
} from "./controller.ts";
export {
  type CompiledDependency,
  compileDependencies,
  type Dependency,
  dependencyRef,
  unmetDependency,
} from "./dependencies.ts";
export { ResourceSetError } from "./errors.ts";
export { goDuration, HISTORY_LIMIT, type Snapshot, upsertHistory } from "./history.ts";
export { deleteFailedJobs, RECREATE_ON_FAILURE } from "./jobs.ts";
export {
  CONVERT_KUBECONFIG_FROM,
  kubeConfigFields,
  parseKubeConfigRef,
  resolveConvertKubeConfig,
} from "./kubeconfig.ts";
export { ResourceSetReconciler, type ResourceSetReconcilerOptions, setDigest } from "./reconciler.ts";
export { resourceSetSetup, type SetupContext, type SetupResult } from "./setup.ts";
export {
  Annotations,
  FIELD_MANAGER,
  FINALIZER,
  finishedMessage,
  formatDuration,
  intervalMs,
  isDisabled,
  Messages,
  Reasons,
  type ResourceSetStatus,
  timeoutMs,
} from "./status.ts";
