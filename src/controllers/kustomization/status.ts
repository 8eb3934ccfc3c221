/** Status shape of a Kustomization, Flux's constants (finalizer, labels, managers) and spec defaults. */
import type { Kustomization } from "../../api/index.ts";
import type { Inventory } from "../../kube/index.ts";
import type { Condition } from "../../runtime/index.ts";
import { durationMs } from "../ocirepository/index.ts";
import type { Snapshot } from "./history.ts";

export interface KustomizationStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastAppliedRevision?: string;
  lastAppliedOriginRevision?: string;
  lastAttemptedRevision?: string;
  lastHandledReconcileAt?: string;
  inventory?: Inventory;
  history?: Snapshot[];
}

export type KustomizationSpec = Kustomization["spec"];

export const API_VERSION = "kustomize.toolkit.fluxcd.io/v1";
export const KIND = "Kustomization";
export const FINALIZER = "finalizers.fluxcd.io";
export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
export const HEALTHY = "Healthy";
/** Apply field manager (kustomize-controller's controller name). */
export const FIELD_MANAGER = "kustomize-controller";
/** Status field manager (Flux's `gotk-` prefixed status owner). */
export const STATUS_MANAGER = "gotk-kustomize-controller";
export const NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";
export const NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace";
/** ConfigMaps and Secrets with this label re-trigger the Kustomizations that substitute from them. */
export const WATCH_LABEL = "reconcile.fluxcd.io/watch";
export const WATCH_VALUE = "Enabled";
export const REVISION_ANNOTATION = "kustomize.toolkit.fluxcd.io/revision";
export const ORIGIN_REVISION_ANNOTATION = "kustomize.toolkit.fluxcd.io/originRevision";
export const COMMIT_STATUS_ANNOTATION = "kustomize.toolkit.fluxcd.io/commit_status";

/** `spec.interval` in ms (the CRD requires it; 10 min when malformed). */
export function intervalMs(spec: KustomizationSpec): number {
  return durationMs(spec.interval) ?? 600_000;
}

/** `spec.retryInterval`, defaulting to the interval (Flux's GetRetryInterval). */
export function retryIntervalMs(spec: KustomizationSpec): number {
  return durationMs(spec.retryInterval) ?? intervalMs(spec);
}

/** `spec.timeout`, defaulting to the interval (Flux's GetTimeout). */
export function timeoutMs(spec: KustomizationSpec): number {
  return durationMs(spec.timeout) ?? intervalMs(spec);
}

/** A duration in Go's `time.Duration.String()` style (`1m30s`, `500ms`, `10m0s`), for messages. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS - h * 3600 - m * 60;
  const sec = Number.isInteger(s) ? `${s}s` : `${Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
