/**
 * Conditions in the Flux style: `Ready`, `Reconciling`, `Stalled`, each with status, reason, message,
 * `observedGeneration` and a `lastTransitionTime` that only moves when the status changes. Pure functions
 * over a conditions array (usually `status.conditions`); writing status is status.ts's job.
 */
export const READY = "Ready";
export const RECONCILING = "Reconciling";
export const STALLED = "Stalled";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** Kubernetes Time: RFC 3339 in seconds. */
export function kubeTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function getCondition(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

export function isTrue(conds: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conds, type)?.status === "True";
}

/** Returns a new array with `c` set; `lastTransitionTime` is kept when the status did not change. */
export function setCondition(
  conds: readonly Condition[] | undefined,
  c: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    ...(c.observedGeneration !== undefined ? { observedGeneration: c.observedGeneration } : {}),
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : kubeTime(now),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return sortConditions(list);
}

export function removeCondition(conds: readonly Condition[] | undefined, type: string): Condition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}

/** Ready first, then Reconciling, Stalled, then the rest alphabetically (Flux's order). */
function sortConditions(list: Condition[]): Condition[] {
  const order = [READY, RECONCILING, STALLED];
  const rank = (t: string) => {
    const i = order.indexOf(t);
    return i < 0 ? order.length : i;
  };
  return list.sort((a, b) => rank(a.type) - rank(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Work started: Reconciling=True, Ready=Unknown, Stalled removed. */
export function markReconciling(
  conds: readonly Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
  now?: Date,
): Condition[] {
  let l = setCondition(
    conds,
    { type: RECONCILING, status: "True", reason, message, observedGeneration: gen },
    now,
  );
  l = setCondition(l, { type: READY, status: "Unknown", reason, message, observedGeneration: gen }, now);
  return removeCondition(l, STALLED);
}

/** Success: Ready=True, Reconciling and Stalled removed. */
export function markReady(
  conds: readonly Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
  now?: Date,
): Condition[] {
  const l = setCondition(
    conds,
    { type: READY, status: "True", reason, message, observedGeneration: gen },
    now,
  );
  return removeCondition(removeCondition(l, RECONCILING), STALLED);
}

/** A retryable failure: Ready=False, Reconciling removed. */
export function markFailed(
  conds: readonly Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
  now?: Date,
): Condition[] {
  const l = setCondition(
    conds,
    { type: READY, status: "False", reason, message, observedGeneration: gen },
    now,
  );
  return removeCondition(l, RECONCILING);
}

/** A failure retrying cannot fix: Stalled=True and Ready=False, Reconciling removed. */
export function markStalled(
  conds: readonly Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
  now?: Date,
): Condition[] {
  let l = setCondition(
    conds,
    { type: STALLED, status: "True", reason, message, observedGeneration: gen },
    now,
  );
  l = setCondition(l, { type: READY, status: "False", reason, message, observedGeneration: gen }, now);
  return removeCondition(l, RECONCILING);
}

/**
 * End-of-reconcile bookkeeping of the Flux kinds (flux-operator's finalizeStatus): a failed attempt keeps
 * Reconciling with reason ProgressingWithRetry; a Ready or Stalled object is no longer Reconciling; a Ready
 * object is no longer Stalled.
 */
export function finalizeConditions(conds: readonly Condition[] | undefined, now?: Date): Condition[] {
  let l = [...(conds ?? [])];
  const ready = getCondition(l, READY);
  const reconciling = getCondition(l, RECONCILING);
  if (ready?.status === "False" && reconciling) {
    l = setCondition(l, { ...reconciling, reason: "ProgressingWithRetry" }, now);
  }
  if (ready?.status === "True" || getCondition(l, STALLED)?.status === "True")
    l = removeCondition(l, RECONCILING);
  if (ready?.status === "True") l = removeCondition(l, STALLED);
  return l;
}

/**
 * A failed attempt as flux-operator records it: Stalled=True and Ready=False when retrying cannot help,
 * otherwise Ready=False with Reconciling kept (finalizeConditions then marks it ProgressingWithRetry).
 */
export function markAttemptFailed(
  conds: readonly Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
  stalled: boolean,
  now?: Date,
): Condition[] {
  if (stalled) return markStalled(conds, gen, reason, message, now);
  return setCondition(conds, { type: READY, status: "False", reason, message, observedGeneration: gen }, now);
}
