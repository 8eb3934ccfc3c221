/**
 * `status.history` as flux-operator keeps it: one snapshot per (digest, status) pair — the digest of what
 * was reconciled, when it was first and last reconciled, how long the last attempt took (a Go duration),
 * its Ready reason, how many times, and metadata (counts of inputs, resources, steps) — the latest attempt
 * first, at most 5.
 */
import { kubeTime } from "../../runtime/index.ts";

export const HISTORY_LIMIT = 5;

export interface Snapshot {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
}

/** Go's `time.Duration.String()` of a duration in milliseconds (kept to the nanosecond). */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  ns = Math.abs(ns);
  const frac = (v: number, digits: number) => {
    const whole = Math.floor(v / 10 ** digits);
    const rest = (v % 10 ** digits).toString().padStart(digits, "0").replace(/0+$/, "");
    return rest ? `${whole}.${rest}` : `${whole}`;
  };
  if (ns < 1000) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${frac(ns, 3)}µs`;
  if (ns < 1e9) return `${sign}${frac(ns, 6)}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const s = `${frac(ns % 6e10, 9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

/** The history with this attempt recorded, moved (or added) to the front (a new list; the input is not changed). */
export function upsertHistory(
  history: readonly Snapshot[] | undefined,
  attempt: {
    digest: string;
    at: Date;
    durationMs: number;
    status: string;
    metadata?: Record<string, string> | undefined;
  },
): Snapshot[] {
  const list = (history ?? []).map((s) => ({ ...s }));
  const at = kubeTime(attempt.at);
  const duration = goDuration(attempt.durationMs);
  const i = list.findIndex((s) => s.digest === attempt.digest && s.lastReconciledStatus === attempt.status);
  const prev = i >= 0 ? list.splice(i, 1)[0] : undefined;
  const snapshot: Snapshot = {
    digest: attempt.digest,
    firstReconciled: prev?.firstReconciled ?? at,
    lastReconciled: at,
    lastReconciledDuration: duration,
    lastReconciledStatus: attempt.status,
    totalReconciliations: (prev?.totalReconciliations ?? 0) + 1,
    ...(attempt.metadata ? { metadata: attempt.metadata } : {}),
  };
  return [snapshot, ...list].slice(0, HISTORY_LIMIT);
}
