/**
 * ResourceSetInputProvider controller (`fluxcd.controlplane.io/v1`): computes the inputs a provider exports
 * to ResourceSets, with flux-operator's status (`exportedInputs`, `lastExportedRevision`), conditions and
 * events.
 *
 * Does: `Static` (`defaultValues` plus an id), `OCIArtifactTag` (tags of `spec.url` through src/oci with
 * `filter.includeTag`/`excludeTag`/`semver`/`limit`, `secretRef` and `serviceAccountName` pull secrets,
 * `insecure`), `reconcileEvery`/`reconcileTimeout`/`reconcile: disabled` annotations,
 * `reconcile.fluxcd.io/requestedAt`.
 * Does not: Git hosting providers (GitHub, GitLab, Gitea, Azure DevOps, CodeCommit), cloud registries
 * (ACR, ECR, GAR), ExternalService, ExternalArtifact, `certSecretRef` or `spec.schedule`: such objects are
 * accepted and reported Stalled with a message saying so, never silently ignored.
 */
export {
  type ResourceSetInputProviderController,
  type ResourceSetInputProviderControllerOptions,
  resourceSetInputProviderController,
} from "./controller.ts";
export {
  type CompiledTagFilter,
  compileTagFilter,
  DEFAULT_LIMIT,
  filterTags,
  type TagFilter,
} from "./filter.ts";
export { ociTagInputs } from "./oci.ts";
export {
  exportedRevision,
  ResourceSetInputProviderReconciler,
  type ResourceSetInputProviderReconcilerOptions,
  type ResourceSetInputProviderStatus,
  SUPPORTED_TYPES,
} from "./reconciler.ts";
export { resourceSetInputProviderSetup } from "./setup.ts";
