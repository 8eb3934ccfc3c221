/**
 * Names flux-operator uses on ResourceSets and ResourceSetInputProviders (annotations, finalizer, field
 * manager, condition reasons, messages), the ResourceSet status shape, and the annotation-driven interval
 * and timeout.
 */
import type { Condition } from "../../runtime/index.ts";
import { durationMs } from "../ocirepository/index.ts";
import type { Snapshot } from "./history.ts";

export const GROUP = "fluxcd.controlplane.io";
export const API_VERSION = "fluxcd.controlplane.io/v1";
export const FINALIZER = "fluxcd.controlplane.io/finalizer";
/** flux-operator's field manager and event source. */
export const FIELD_MANAGER = "flux-operator";

/** flux-operator's readiness of its own kinds (dependencies, health checks): Ready=True for this generation. */
export const HEALTH_CHECK_EXPR =
  "status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True' && c.observedGeneration == metadata.generation)";

/** Health checks the apply engine uses for flux-operator's kinds instead of kstatus. */
export const FLUX_OPERATOR_HEALTH = ["FluxInstance", "ResourceSet", "ResourceSetInputProvider"].map(
  (kind) => ({
    apiVersion: API_VERSION,
    kind,
    current: HEALTH_CHECK_EXPR,
  }),
);

export const Annotations = {
  reconcile: "fluxcd.controlplane.io/reconcile",
  reconcileEvery: "fluxcd.controlplane.io/reconcileEvery",
  reconcileTimeout: "fluxcd.controlplane.io/reconcileTimeout",
  prune: "fluxcd.controlplane.io/prune",
  force: "fluxcd.controlplane.io/force",
  copyFrom: "fluxcd.controlplane.io/copyFrom",
  checksumFrom: "fluxcd.controlplane.io/checksumFrom",
  requestedAt: "reconcile.fluxcd.io/requestedAt",
} as const;

export const Reasons = {
  progressing: "Progressing",
  progressingWithRetry: "ProgressingWithRetry",
  succeeded: "ReconciliationSucceeded",
  failed: "ReconciliationFailed",
  buildFailed: "BuildFailed",
  dependencyNotReady: "DependencyNotReady",
  invalidCEL: "InvalidCELExpression",
  disabled: "ReconciliationDisabled",
  invalidSpec: "InvalidSpec",
  invalidDefaultValues: "InvalidDefaultValues",
  notSupported: "ProviderNotSupported",
} as const;

export const Messages = {
  inProgress: "Reconciliation in progress",
  terminal: "Reconciliation failed terminally due to configuration error",
  disabled: "Reconciliation is disabled",
} as const;

export interface InventoryStatus {
  entries: Array<{ id: string; v: string }>;
}

export interface ResourceSetStatus {
  conditions?: Condition[];
  inventory?: InventoryStatus;
  lastAppliedRevision?: string;
  lastHandledReconcileAt?: string;
  history?: Snapshot[];
  /** `Kind/namespace/name` of the ConfigMaps and Secrets outside the set that `checksumFrom` read. */
  externalChecksumRefs?: string[];
}

/** `reconcile: disabled` (any case), as flux-operator reads it. */
export function isDisabled(annotations: Record<string, string> | undefined): boolean {
  return (annotations?.[Annotations.reconcile] ?? "").toLowerCase() === "disabled";
}

/** `reconcileEvery` in ms (`fallbackMs` when unset or malformed); 0 when reconciliation is disabled. */
export function intervalMs(annotations: Record<string, string> | undefined, fallbackMs: number): number {
  if (isDisabled(annotations)) return 0;
  return durationMs(annotations?.[Annotations.reconcileEvery]) ?? fallbackMs;
}

/** `reconcileTimeout` in ms (`fallbackMs` when unset or malformed). */
export function timeoutMs(annotations: Record<string, string> | undefined, fallbackMs: number): number {
  return durationMs(annotations?.[Annotations.reconcileTimeout]) ?? fallbackMs;
}

/** "Reconciliation finished in 2s", the duration printed as flux-operator prints it. */
export function finishedMessage(startedMs: number, now = performance.now()): string {
  return `Reconciliation finished in ${formatDuration(now - startedMs)}`;
}

/** Go's `Duration.String()` of a duration rounded to milliseconds under a second, to seconds above. */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    const r = Math.max(0, Math.round(ms));
    return r === 0 ? "0s" : `${r}ms`;
  }
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
