/**
 * `status.history` as Flux keeps it (fluxcd/pkg apis/meta History): up to five snapshots, most recent first,
 * one per digest of the built manifests and outcome, each with first and last reconcile times, the last
 * duration, the outcome reason and how many reconciles produced it, plus the revision as metadata.
 */
import { createHash } from "node:crypto";
import { type KubeObject, stringifyObjects } from "../../render/index.ts";
import { kubeTime } from "../../runtime/index.ts";
import { goDuration } from "./status.ts";

export const HISTORY_MAX = 5;

export interface Snapshot {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
}

/** `sha256:<hex>` of the built manifests (Ferry's serialisation, so not byte-equal to Flux's digest). */
export function manifestsDigest(objects: readonly KubeObject[]): string {
  return `sha256:${createHash("sha256").update(stringifyObjects(objects)).digest("hex")}`;
}

/** The history with this outcome recorded: the snapshot of the same digest and status is updated and moved first. */
export function upsertHistory(
  history: readonly Snapshot[] | undefined,
  digest: string,
  at: Date,
  durationMs: number,
  status: string,
  metadata: Record<string, string>,
): Snapshot[] {
  const list = [...(history ?? [])].map((s) => ({ ...s }));
  const now = kubeTime(at);
  const duration = goDuration(durationMs);
  const i = list.findIndex((s) => s.digest === digest && s.lastReconciledStatus === status);
  if (i >= 0) {
    const [s] = list.splice(i, 1) as [Snapshot];
    s.lastReconciled = now;
    s.lastReconciledDuration = duration;
    s.totalReconciliations++;
    s.metadata = metadata;
    list.unshift(s);
  } else {
    list.unshift({
      digest,
      firstReconciled: now,
      lastReconciled: now,
      lastReconciledDuration: duration,
      lastReconciledStatus: status,
      totalReconciliations: 1,
      metadata,
    });
  }
  return list.slice(0, HISTORY_MAX);
}
