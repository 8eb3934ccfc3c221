/** Status shape of an OCIRepository and small helpers over it (durations, artifact, conditions). */
import {
  type Condition,
  getCondition,
  markFailed,
  markStalled,
  RECONCILING,
  setCondition,
} from "../../runtime/index.ts";
import type { OCIRepositoryError } from "./errors.ts";
import type { LayerSelector } from "./fetch.ts";

export interface Artifact {
  digest: string;
  lastUpdateTime: string;
  metadata?: Record<string, string>;
  path: string;
  revision: string;
  size: number;
  url: string;
}

export interface OCIRepositoryStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  artifact?: Artifact;
  url?: string;
  observedIgnore?: string;
  observedLayerSelector?: LayerSelector;
  lastHandledReconcileAt?: string;
}

export const ARTIFACT_IN_STORAGE = "ArtifactInStorage";
export const ARTIFACT_OUTDATED = "ArtifactOutdated";
export const SOURCE_VERIFIED = "SourceVerified";
export const FETCH_FAILED = "FetchFailed";
export const STORAGE_OPERATION_FAILED = "StorageOperationFailed";

export const FINALIZER = "finalizers.fluxcd.io";
export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration as the CRD accepts it (`1h30m`, `10s`, `500ms`) in milliseconds; undefined when malformed. */
export function durationMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  for (;;) {
    m = re.exec(text);
    if (!m) break;
    total += Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1000);
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? total : undefined;
}

export function sameLayerSelector(a: LayerSelector | undefined, b: LayerSelector | undefined): boolean {
  return (
    (a?.mediaType ?? "") === (b?.mediaType ?? "") &&
    (a?.operation ?? "") === (b?.operation ?? "") &&
    !a === !b
  );
}

/** Conditions after a failed attempt, as source-controller sets them. */
export function failureConditions(
  conds: Condition[] | undefined,
  gen: number | undefined,
  e: OCIRepositoryError,
): Condition[] {
  let c = conds;
  if (e.condition === "SourceVerified") {
    c = setCondition(c, {
      type: SOURCE_VERIFIED,
      status: "False",
      reason: e.reason,
      message: e.message,
      observedGeneration: gen,
    });
  } else {
    c = setCondition(c, {
      type: e.condition,
      status: "True",
      reason: e.reason,
      message: e.message,
      observedGeneration: gen,
    });
  }
  const reconciling = getCondition(c, RECONCILING);
  c = e.stalled ? markStalled(c, gen, e.reason, e.message) : markFailed(c, gen, e.reason, e.message);
  // As source-controller: an unfinished attempt keeps Reconciling, its reason saying it will be retried.
  if (reconciling) c = setCondition(c, { ...reconciling, reason: "ProgressingWithRetry" });
  return c;
}
