/**
 * Kustomization controller (`kustomize.toolkit.fluxcd.io/v1`): builds a source's kustomize overlay and
 * applies it the way Flux's kustomize-controller does, with the same status, conditions, reasons, events,
 * field manager, owner labels and `status.history`.
 *
 * Does: OCIRepository sources read from the shared artifact store (cross-namespace unless the agent locks
 * tenants down), `path`, the overlay fields (`targetNamespace`, `namePrefix`/`nameSuffix`, `patches`,
 * `images`, `components`, `commonMetadata`), `postBuild.substitute`/`substituteFrom` (read from the cluster,
 * `optional`), staged server-side apply with dry-run first, inventory, `prune`, `wait`, `healthChecks`,
 * `healthCheckExprs`, `dependsOn` (with CEL `readyExpr`), `serviceAccountName` impersonation and a default
 * service account, `interval`, `retryInterval`, `timeout`, `force`, `suspend`, `deletionPolicy` with a
 * finalizer, drift correction on every run, `reconcile.fluxcd.io/requestedAt`, re-enqueue on a new source
 * revision (which also cancels a running health check) and on watched (`reconcile.fluxcd.io/watch:
 * Enabled`) ConfigMaps and Secrets.
 * Does not: GitRepository, Bucket or ExternalArtifact sources, SOPS `decryption`, remote `kubeConfig`,
 * drift `ignore` rules (a Kustomization using one of these stalls, saying so), or
 * `kustomize.toolkit.fluxcd.io/reconcile: disabled` set on in-cluster objects only (built objects carrying
 * it are skipped).
 */
// The renderer the fleet view shares with the reconciler, so a preview renders exactly as the agent applies.
export { excludeDisabled, refuseEncryptedSecrets, resourceManager } from "./apply.ts";
export { buildObjects } from "./build.ts";
export {
  type KustomizationController,
  type KustomizationControllerOptions,
  kustomizationController,
} from "./controller.ts";
export { KustomizationError, Reasons } from "./errors.ts";
export {
  KustomizationReconciler,
  type KustomizationReconcilerOptions,
  type TenancySettings,
} from "./reconciler.ts";
export {
  FIELD_MANAGER,
  FINALIZER,
  HEALTHY,
  type KustomizationStatus,
  NAME_LABEL,
  NAMESPACE_LABEL,
  STATUS_MANAGER,
  WATCH_LABEL,
} from "./status.ts";
