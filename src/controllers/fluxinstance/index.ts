/**
 * FluxInstance controller (`fluxcd.controlplane.io/v1`) and the FluxReport, flux-operator's API on Ferry.
 * Ferry's agent replaces Flux's controllers, so a FluxInstance installs no controllers: it generates and
 * owns the cluster's sync — the OCIRepository and Kustomization flux-operator generates from `spec.sync` —
 * with `spec.commonMetadata` and `spec.kustomize.patches` (through the real kustomize), applies them with
 * server-side apply as `flux-operator`, keeps an inventory, prunes, waits for them when `spec.wait` (so Ready
 * follows the sync Kustomization's Ready), hands `spec.cluster.multitenant` / `tenantDefaultServiceAccount`
 * to the agent's settings (and, multitenant, runs the sync as a generated `kustomize-controller` account
 * bound to cluster-admin), and on deletion removes what it generated while keeping the workloads (the sync
 * Kustomization is orphaned). The FluxReport `flux` summarises the agent's reconcilers.
 *
 * Does not: install or upgrade Flux (`distribution`, `components`, `cluster.type/size/domain/networkPolicy`,
 * `sharding`, `storage`, `migrateResources` are accepted and named in the `FerryCompatible` condition),
 * sync kinds other than OCIRepository, `status.components` or `status.history`.
 */
export {
  type FluxInstanceController,
  type FluxInstanceControllerOptions,
  fluxInstanceController,
} from "./controller.ts";
export { FluxInstanceError } from "./errors.ts";
export {
  type FluxInstanceSpec,
  type Generated,
  generate,
  notApplicableFields,
  notApplicableMessage,
  type PatchSpec,
  type SyncSpec,
  type TenancySettings,
  tenancyOf,
} from "./generate.ts";
export { applyPatches, type PatchOptions } from "./patch.ts";
export {
  FluxInstanceReconciler,
  type FluxInstanceReconcilerOptions,
  instanceRevision,
} from "./reconciler.ts";
export {
  computeReport,
  FluxReportReconciler,
  type FluxReportReconcilerOptions,
  formatSize,
  REPORTED_KINDS,
  type ReportInputs,
} from "./report.ts";
export { type FluxInstanceSetupContext, fluxInstanceSetup } from "./setup.ts";
export {
  Annotations,
  FERRY_COMPATIBLE,
  FERRY_VERSION,
  FIELD_MANAGER,
  FINALIZER,
  type FluxInstanceStatus,
  goDuration,
  INSTANCE_NAME,
  Reasons,
} from "./status.ts";
