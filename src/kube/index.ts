/**
 * Kubernetes API access and the server-side apply engine, with the contract of Flux's `ssa` package.
 *
 * Does: load kubeconfigs and impersonate service accounts (config.ts); a raw JSON REST client with REST
 * mapping from cached discovery (client.ts, mapper.ts, rest.ts); a `ResourceManager` that dry-runs a whole
 * set, applies it in stages with a caller-chosen field manager, reports a change set per object, recreates
 * on immutable-field changes when forced, keeps a Flux-format inventory, prunes what left it, and waits for
 * health by kstatus rules or CEL expressions.
 * Does not: render manifests, watch objects or run controllers (that is `src/runtime`), or read the
 * environment (the caller passes the kubeconfig path or text).
 */
export { type ApplyOptions, applyAll } from "./apply.ts";
export { CelExpressionError, CelHealthChecker, type HealthCheckExpr } from "./cel.ts";
export {
  type Action,
  apiVersionOfEntry,
  type ChangeSetEntry,
  formatChanges,
  summarize,
} from "./changeset.ts";
export {
  type CleanupOptions,
  cleanupPatch,
  type FieldManagerMatch,
  fluxCleanupDefaults,
  type JsonPatchOp,
} from "./cleanup.ts";
export { KubeClient, type KubeClientOptions, type RequestInfo } from "./client.ts";
export { impersonate, type LoadKubeConfigOptions, loadKubeConfig, serviceAccountUser } from "./config.ts";
export type { DiffEntry, DiffOptions } from "./diff.ts";
export { changedPaths, hasDrifted, maskSecret, maskSecretPair, normalizeForDiff } from "./drift.ts";
export {
  ApplyError,
  HealthCheckFailedError,
  ImmutableFieldError,
  isConflict,
  isNotFound,
  KubeApiError,
  KubeConfigError,
  KubeConnectionError,
  UnknownKindError,
  ValidationError,
  WaitTimeoutError,
} from "./errors.ts";
export { computeHealth, findCondition, type Health, type HealthStatus } from "./health.ts";
export {
  type Inventory,
  type InventoryEntry,
  type InventoryObject,
  inventoryFromChangeSet,
  inventoryFromObjects,
  inventoryId,
  inventoryObjects,
  parseInventoryId,
  staleObjects,
} from "./inventory.ts";
export { LiveObjects } from "./live.ts";
export { ResourceManager, type ResourceManagerOptions } from "./manager.ts";
export { type ResourceMapping, RestMapper, resourcePath } from "./mapper.ts";
export {
  isClusterDefinition,
  type KubeObject,
  keyOf,
  type ObjectKey,
  type ObjectMeta,
  refOf,
  sortForApply,
} from "./object.ts";
export { forceAnnotation, isImmutableError, pruneAnnotation, ssaAnnotation } from "./preflight.ts";
export { type PruneOptions, pruneBlocker } from "./prune.ts";
export {
  applyObject,
  createObject,
  deleteObject,
  getObject,
  jsonPatchObject,
  type ListResult,
  listObjects,
  mergePatchObject,
  type ObjectHeader,
  replaceObject,
} from "./rest.ts";
export { checkHealth, type ObjectHealth, type WaitOptions, type WaitTarget } from "./wait.ts";
