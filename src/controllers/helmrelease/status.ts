/** Status of a HelmRelease as helm-controller writes it: history snapshots, attempt fields, durations. */

import { type Release, releaseDigest, valuesDigest } from "../../helm/index.ts";
import type { Condition } from "../../runtime/index.ts";

export function durationMs(d: string | undefined, fallback: number): number {
  if (!d) return fallback;
  let ms = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    ms += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
  }
  return ms || fallback;
}

export interface HelmReleaseStatus {
  observedGeneration?: number;
  lastAttemptedGeneration?: number;
  lastAttemptedRevision?: string;
  lastAttemptedRevisionDigest?: string;
  lastAttemptedConfigDigest?: string;
  lastAttemptedReleaseAction?: string;
  lastHandledReconcileAt?: string;
  lastHandledResetAt?: string;
  observedPostRenderersDigest?: string;
  observedCommonMetadataDigest?: string;
  storageNamespace?: string;
  conditions?: Condition[];
  history?: Record<string, unknown>[];
  failures?: number;
  installFailures?: number;
  upgradeFailures?: number;
  [k: string]: unknown;
}

/** One `status.history` entry (helm-controller's Snapshot). */
export function snapshot(r: Release): Record<string, unknown> {
  return {
    name: r.name,
    namespace: r.namespace,
    version: r.version,
    status: r.info.status,
    chartName: r.chart.metadata.name,
    chartVersion: r.chart.metadata.version,
    ...(r.chart.metadata.appVersion ? { appVersion: r.chart.metadata.appVersion } : {}),
    configDigest: valuesDigest(r.config),
    digest: releaseDigest(r),
    firstDeployed: r.info.first_deployed,
    lastDeployed: r.info.last_deployed,
  };
}
