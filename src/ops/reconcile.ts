/**
 * Requesting a reconciliation and waiting for it, as `flux reconcile` does: set
 * `reconcile.fluxcd.io/requestedAt` to a fresh RFC 3339 timestamp with a merge patch, then poll until the
 * reconciler has copied it to `status.lastHandledReconcileAt` and reports Ready True (success) or False
 * (ReconcileFailedError). Progress lines go to a callback so the CLI decides how to print them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type KubeClient, type KubeObject, mergePatchObject } from "../kube/index.ts";
import { getOpsObject } from "./access.ts";
import { ReconcileFailedError, ReconcileTimeoutError, SuspendedError } from "./errors.ts";
import { isSuspended, type OpsKind, REQUESTED_AT } from "./kinds.ts";
import { conditionsOf } from "./summary.ts";

export type ProgressKind = "action" | "success" | "waiting" | "failure";
export type Progress = (kind: ProgressKind, text: string) => void;

export interface WaitOptions {
  signal: AbortSignal;
  /** How long to wait for the reconciler (default 5 minutes). */
  timeoutMs?: number;
  /** Poll period (default 500 ms). */
  pollMs?: number;
  progress?: Progress;
}

export interface ReconcileResult {
  kind: string;
  namespace: string;
  name: string;
  revision: string;
  /** The Ready condition's message. */
  message: string;
}

/**
 * An RFC 3339 UTC timestamp with up to nanosecond digits (trailing zeros dropped, as Go's RFC3339Nano):
 * the sub-millisecond digits come from the monotonic clock so two requests in one millisecond differ.
 */
export function requestedAtValue(now: Date = new Date(), subMs: bigint = process.hrtime.bigint()): string {
  const iso = now.toISOString(); // 2026-11-25T00:30:00.123Z
  const ms = iso.slice(20, 23);
  const frac = `${ms}${(subMs % 1_000_000n).toString().padStart(6, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

export const ref = (k: OpsKind, namespace: string, name: string) => `${k.kind}/${namespace}/${name}`;

/** How to resume a suspended object, for messages. */
export function resumeHint(k: OpsKind, name: string, namespace: string): string {
  return `ferry resume ${k.command} ${name} -n ${namespace}`;
}

/** Sets the requestedAt annotation (plus `extra` patch fields) and returns the value written. */
export async function requestReconcile(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: {
    signal: AbortSignal;
    patch?: { spec?: Record<string, unknown>; annotations?: Record<string, string> };
  },
): Promise<string> {
  const at = requestedAtValue();
  await mergePatchObject(
    client,
    { apiVersion: k.apiVersion, kind: k.kind, metadata: { name, namespace } },
    {
      metadata: { annotations: { ...opts.patch?.annotations, [REQUESTED_AT]: at } },
      ...(opts.patch?.spec ? { spec: opts.patch.spec } : {}),
    },
    { signal: opts.signal, fieldManager: "ferry" },
  );
  return at;
}

/** Polls until `status.lastHandledReconcileAt` is `requestedAt` and Ready is True or False. */
export async function waitReconciled(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  requestedAt: string,
  opts: WaitOptions,
): Promise<ReconcileResult> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  const r = ref(k, namespace, name);
  for (;;) {
    const o = await getOpsObject(client, k, namespace, name, { signal: opts.signal });
    const handled = (o.status as { lastHandledReconcileAt?: unknown } | undefined)?.lastHandledReconcileAt;
    const ready = conditionsOf(o).find((c) => c.type === "Ready");
    // A status written for an older generation does not answer for the current spec (flux checks it too).
    const observed = (o.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
    const current = typeof observed !== "number" || observed >= (o.metadata.generation ?? 0);
    if (handled === requestedAt && current && (ready?.status === "True" || ready?.status === "False")) {
      if (ready.status === "False") {
        throw new ReconcileFailedError(r, ready.reason ?? "Unknown", ready.message ?? "");
      }
      return { kind: k.kind, namespace, name, revision: k.revision(o), message: ready.message ?? "" };
    }
    if (Date.now() >= deadline) {
      const detail =
        handled === requestedAt
          ? `Ready is ${ready?.status ?? "absent"}${ready?.message ? `: ${ready.message}` : ""}`
          : `the reconciler has not handled the request of ${requestedAt} yet`;
      throw new ReconcileTimeoutError(r, timeoutMs, detail);
    }
    await sleep(Math.min(opts.pollMs ?? 500, Math.max(1, deadline - Date.now())), undefined, {
      signal: opts.signal,
    });
  }
}

function successLine(k: OpsKind, res: ReconcileResult): string {
  return res.revision ? `${k.verb} revision ${res.revision}` : `${k.kind} is ready: ${res.message}`;
}

/** Requests a reconcile of a live object and waits for it, reporting flux's lines. */
export async function reconcileObject(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: WaitOptions,
): Promise<ReconcileResult> {
  const p = opts.progress ?? (() => {});
  const live = await getOpsObject(client, k, namespace, name, { signal: opts.signal });
  if (isSuspended(k, live)) throw new SuspendedError(ref(k, namespace, name), resumeHint(k, name, namespace));
  p("action", `annotating ${k.kind} ${name} in ${namespace} namespace`);
  const at = await requestReconcile(client, k, namespace, name, { signal: opts.signal });
  p("success", `${k.kind} annotated`);
  return await waitAndReport(client, k, live, at, opts);
}

/** Waits for the request `at` on `live` and prints the completion and success lines. */
export async function waitAndReport(
  client: KubeClient,
  k: OpsKind,
  live: KubeObject,
  at: string,
  opts: WaitOptions,
): Promise<ReconcileResult> {
  const p = opts.progress ?? (() => {});
  const namespace = live.metadata.namespace ?? "";
  const name = live.metadata.name ?? "";
  p("waiting", `waiting for ${k.kind} reconciliation`);
  const res = await waitReconciled(client, k, namespace, name, at, opts);
  p("success", `${k.kind} reconciliation completed`);
  p("success", successLine(k, res));
  return res;
}
