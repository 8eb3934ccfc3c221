/**
 * Names flux-operator uses on FluxInstances (finalizer, field manager, owner labels, condition reasons,
 * messages, annotations), the FluxInstance status shape, Go-style duration text and Ferry's version.
 */
import pkg from "../../../package.json" with { type: "json" };
import type { Condition } from "../../runtime/index.ts";

export const API_VERSION = "fluxcd.controlplane.io/v1";
export const KIND = "FluxInstance";
/** The only name flux-operator accepts for a FluxInstance (and for the FluxReport). */
export const INSTANCE_NAME = "flux";
export const FINALIZER = "fluxcd.controlplane.io/finalizer";
/** flux-operator's field manager and event source. */
export const FIELD_MANAGER = "flux-operator";
/** Owner labels flux-operator's resource manager sets (owner group `fluxcd.controlplane.io`). */
export const OWNER_NAME = "fluxcd.controlplane.io/name";
export const OWNER_NAMESPACE = "fluxcd.controlplane.io/namespace";
/** Ferry's own condition: which spec fields have no effect in Ferry. */
export const FERRY_COMPATIBLE = "FerryCompatible";
/** The agent's version (the `app.kubernetes.io/version` label, revisions, the report). */
export const FERRY_VERSION: string = (pkg as { version: string }).version;

export const Annotations = {
  reconcile: "fluxcd.controlplane.io/reconcile",
  reconcileEvery: "fluxcd.controlplane.io/reconcileEvery",
  reconcileTimeout: "fluxcd.controlplane.io/reconcileTimeout",
  prune: "fluxcd.controlplane.io/prune",
  requestedAt: "reconcile.fluxcd.io/requestedAt",
} as const;

export const Reasons = {
  progressing: "Progressing",
  progressingWithRetry: "ProgressingWithRetry",
  succeeded: "ReconciliationSucceeded",
  failed: "ReconciliationFailed",
  buildFailed: "BuildFailed",
  disabled: "ReconciliationDisabled",
  invalidName: "InvalidName",
  allApplied: "AllFieldsApplied",
  notApplicable: "FieldsNotApplicable",
} as const;

export const Messages = {
  inProgress: "Reconciliation in progress",
  disabled: "Reconciliation is disabled",
} as const;

export interface FluxInstanceStatus {
  conditions?: Condition[];
  inventory?: { entries: Array<{ id: string; v: string }> };
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  lastHandledReconcileAt?: string;
}

/** Go's `time.Duration.String()` of a whole number of milliseconds: `1m0s`, `10m0s`, `1h0m0s`, `30s`, `500ms`. */
export function goDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
