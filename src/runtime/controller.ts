/**
 * Controller: a work queue drained by `concurrency` workers calling `reconcile(key, signal)`. Level-based:
 * the key says which object, never what changed. A result's `requeueAfterMs` comes back later (with
 * jitter); a throw retries with per-item backoff; a `TerminalError` is recorded and not retried. On
 * shutdown workers finish their current key within the grace period, then its signal is aborted.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeObject } from "../kube/object.ts";
import { TerminalError } from "./errors.ts";
import { cacheKey, type Informer } from "./informer.ts";
import type { RuntimeMetrics } from "./metrics.ts";
import { WorkQueue, type WorkQueueOptions } from "./queue.ts";

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  /** Controller name (queue name, logs). */
  name: string;
  /** Kind label for metrics (e.g. `Kustomization`). */
  kind: string;
  reconcile: Reconciler;
  /** Parallel workers (default 1); one key is never reconciled twice at once. */
  concurrency?: number;
  /** How long in-flight reconciles may run after shutdown starts before their signal aborts (default 10 s). */
  shutdownGraceMs?: number;
  queue?: Omit<WorkQueueOptions, "name">;
  metrics?: RuntimeMetrics;
  /** Called when a reconcile throws (log it); the key is retried unless the error is terminal. */
  onError?(key: string, err: unknown, retry: boolean): void;
}

export type ResultLabel = "success" | "requeue" | "error" | "terminal";

export class Controller {
  readonly name: string;
  readonly kind: string;
  readonly queue: WorkQueue<string>;
  private readonly opts: ControllerOptions;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.kind = opts.kind;
    this.queue = new WorkQueue<string>({ name: opts.name, ...opts.queue });
  }

  /**
   * Enqueues `namespace/name` of every object the informer adds, updates or deletes (or `map`'s keys).
   * `updateFilter` drops updates that need no reconcile (e.g. `generationOrRequestChanged`).
   */
  watch(
    informer: Informer,
    map: (obj: KubeObject) => string[] = (o) => [cacheKey(o)],
    updateFilter: (oldObj: KubeObject, newObj: KubeObject) => boolean = () => true,
  ): void {
    const enqueue = (o: KubeObject) => {
      for (const k of map(o)) this.queue.add(k);
    };
    informer.addHandler({
      onAdd: enqueue,
      onUpdate: (old, o) => {
        if (updateFilter(old, o)) enqueue(o);
      },
      onDelete: enqueue,
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const work = new AbortController();
    const n = Math.max(1, this.opts.concurrency ?? 1);
    const gauge = setInterval(() => this.opts.metrics?.queueDepth(this.name, this.queue.length), 1000);
    gauge.unref();
    const onStop = () => {
      this.queue.shutDown();
      const t = setTimeout(
        () => work.abort(new Error(`controller ${this.name} shut down`)),
        this.opts.shutdownGraceMs ?? 10_000,
      );
      t.unref();
    };
    if (signal.aborted) onStop();
    else signal.addEventListener("abort", onStop, { once: true });
    try {
      await Promise.all(Array.from({ length: n }, () => this.worker(work.signal)));
    } finally {
      clearInterval(gauge);
      signal.removeEventListener("abort", onStop);
    }
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      let key: string;
      try {
        key = await this.queue.get();
      } catch {
        return; // shut down
      }
      try {
        await this.process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    let result: ResultLabel = "success";
    try {
      const r = await this.opts.reconcile(key, signal);
      this.queue.forget(key);
      if (r?.requeueAfterMs !== undefined && r.requeueAfterMs >= 0) {
        result = "requeue";
        this.queue.addAfter(key, r.requeueAfterMs);
      }
    } catch (err) {
      if (err instanceof TerminalError) {
        result = "terminal";
        this.queue.forget(key);
        this.opts.onError?.(key, err, false);
      } else {
        result = "error";
        this.opts.onError?.(key, err, true);
        if (!this.queue.isShuttingDown()) this.queue.addRateLimited(key);
      }
    } finally {
      this.opts.metrics?.observeReconcile(this.kind, result, (performance.now() - started) / 1000);
    }
  }
}

/** Waits until `check` is true, polling; for tests and startup ordering. */
export async function pollUntil(
  check: () => boolean,
  opts: { signal: AbortSignal; intervalMs?: number },
): Promise<void> {
  while (!check()) await sleep(opts.intervalMs ?? 50, undefined, { signal: opts.signal });
}

/** Flux's `reconcile.fluxcd.io/requestedAt` annotation (`flux reconcile` sets it to ask for a run now). */
export const requestedAtAnnotation = "reconcile.fluxcd.io/requestedAt";

/**
 * Update filter for a controller's own kind: reconcile when the spec changed (metadata.generation), the
 * object started deleting, or someone asked for a reconcile; status-only writes (its own) are ignored.
 */
export function generationOrRequestChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  if (oldObj.metadata.generation !== newObj.metadata.generation) return true;
  if (!oldObj.metadata.deletionTimestamp && newObj.metadata.deletionTimestamp) return true;
  return (
    oldObj.metadata.annotations?.[requestedAtAnnotation] !==
    newObj.metadata.annotations?.[requestedAtAnnotation]
  );
}
