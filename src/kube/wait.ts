/**
 * Wait: poll objects until every one is Current (kstatus or CEL), with a timeout and an AbortSignal; on
 * timeout the error lists each object that is not ready and why. Also waiting for deletion.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { HealthCheckFailedError, WaitTimeoutError } from "./errors.ts";
import type { Health } from "./health.ts";
import { LiveObjects } from "./live.ts";
import type { ResourceManager } from "./manager.ts";
import { type KubeObject, refOf } from "./object.ts";
import { mapLimit } from "./parallel.ts";
import { getObject, type ObjectHeader } from "./rest.ts";

export type WaitTarget = ObjectHeader;

export interface WaitOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Poll interval (default 1 s). */
  intervalMs?: number;
  /** Stop at the first Failed object instead of waiting for the timeout (default true). */
  failFast?: boolean;
}

export interface ObjectHealth extends Health {
  ref: string;
}

/** Reads each target once (one LIST per large group) and computes its health (NotFound when absent). */
export async function checkHealth(
  m: ResourceManager,
  targets: readonly WaitTarget[],
  signal: AbortSignal,
): Promise<ObjectHealth[]> {
  const prefetched = await LiveObjects.prefetch(m.client, targets, { signal, concurrency: m.concurrency });
  return await mapLimit(targets, m.concurrency, async (t) => {
    const ref = refOf(t as KubeObject);
    const live = await prefetched.read<KubeObject>(m.client, t, signal);
    if (!live) return { ref, status: "NotFound", message: "object not found" } as ObjectHealth;
    return { ref, ...m.health(live) };
  });
}

export async function waitForReady(
  m: ResourceManager,
  targets: readonly WaitTarget[],
  opts: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let pending = [...targets];
  let last: ObjectHealth[] = [];
  for (;;) {
    opts.signal.throwIfAborted();
    last = await checkHealth(m, pending, opts.signal);
    const failed = last.filter((h) => h.status === "Failed");
    if (failed.length > 0 && (opts.failFast ?? true)) {
      throw new HealthCheckFailedError(failed.map((f) => ({ ref: f.ref, message: f.message })));
    }
    pending = pending.filter((_, i) => last[i]?.status !== "Current");
    last = last.filter((h) => h.status !== "Current");
    if (pending.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(opts.intervalMs ?? 1000, left), undefined, { signal: opts.signal });
  }
  throw new WaitTimeoutError(
    opts.timeoutMs,
    last.map((h) => ({ ref: h.ref, status: h.status, message: h.message })),
  );
}

export async function waitForDeletion(
  m: ResourceManager,
  targets: readonly WaitTarget[],
  opts: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let pending = [...targets];
  for (;;) {
    opts.signal.throwIfAborted();
    const live = await mapLimit(pending, m.concurrency, (t) =>
      getObject(m.client, t, { signal: opts.signal }),
    );
    pending = pending.filter((_, i) => live[i] !== undefined);
    if (pending.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new WaitTimeoutError(
        opts.timeoutMs,
        pending.map((t) => ({
          ref: refOf(t as KubeObject),
          status: "Terminating",
          message: "still present (finalizers?)",
        })),
      );
    }
    await sleep(Math.min(opts.intervalMs ?? 1000, left), undefined, { signal: opts.signal });
  }
}
