/**
 * Ops: the operator's view of the cluster side for the Flux kinds Ferry reconciles (OCIRepository,
 * Kustomization, ResourceSet, ResourceSetInputProvider, FluxInstance): summaries with readiness as
 * `flux get` shows them, inventory trees as `flux tree`, reconcile requests and the wait for them as
 * `flux reconcile`, suspend and resume. Library code for the CLI and, later, the fleet view.
 * Does not: reconcile anything itself, print (progress goes to a callback), or read the environment.
 */
export { getOpsObject, listOpsObjects } from "./access.ts";
export {
  KindNotInstalledError,
  ObjectNotFoundError,
  ReconcileFailedError,
  ReconcileTimeoutError,
  SuspendedError,
} from "./errors.ts";
export {
  FLUX_INSTANCE,
  isSuspended,
  KUSTOMIZATION,
  kindByAlias,
  kindOf,
  OCI_REPOSITORY,
  OPERATOR_RECONCILE,
  OPS_KINDS,
  type OpsKind,
  REQUESTED_AT,
  RESOURCE_SET,
  RESOURCE_SET_INPUT_PROVIDER,
} from "./kinds.ts";
export {
  type Progress,
  type ProgressKind,
  type ReconcileResult,
  reconcileObject,
  requestedAtValue,
  requestReconcile,
  resumeHint,
  type WaitOptions,
  waitAndReport,
  waitReconciled,
} from "./reconcile.ts";
export {
  type ListSummariesOptions,
  listSummaries,
  matchesStatus,
  type ObjectSummary,
  parseStatusSelector,
  type StatusSelector,
  summarize,
} from "./summary.ts";
export { resumeObject, suspendObject } from "./suspend.ts";
export { formatSummaries, formatTable, SUMMARY_HEADER } from "./table.ts";
export { formatTree, type InventoryTree, inventoryTree, type TreeObject, treeToFluxJson } from "./tree.ts";
