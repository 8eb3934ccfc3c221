/**
 * The controller runtime: what every Ferry reconciler runs on.
 *
 * Does: informers (list + watch with bookmarks, re-list on 410 Gone or a broken connection, a cache per
 * kind with handlers); a rate-limited work queue keyed by object (de-duplication, one worker per key,
 * per-item exponential backoff plus a token bucket, delayed adds with jitter); controllers with the
 * `reconcile(key, signal) → { requeueAfterMs? }` contract and `TerminalError`; a manager composing
 * `start(signal)` runnables with graceful shutdown and Lease-based leader election; Flux-style conditions,
 * Events, finalizers and status-subresource writes; `/healthz`, `/readyz`, `/metrics`.
 * Does not: decide what to reconcile (controllers do), apply manifests (`src/kube`), or read the
 * environment or install signal handlers (the CLI does).
 */
export { Backoff, ItemBackoff, jitter, TokenBucket } from "./backoff.ts";
export { InformerCache, type InformerCacheOptions, type InformerKey } from "./cache.ts";
export {
  type Condition,
  type ConditionInput,
  type ConditionStatus,
  finalizeConditions,
  getCondition,
  isTrue,
  kubeTime,
  markAttemptFailed,
  markFailed,
  markReady,
  markReconciling,
  markStalled,
  READY,
  RECONCILING,
  removeCondition,
  STALLED,
  setCondition,
} from "./conditions.ts";
export {
  Controller,
  type ControllerOptions,
  generationOrRequestChanged,
  pollUntil,
  type ReconcileResult,
  type Reconciler,
  type ResultLabel,
  requestedAtAnnotation,
} from "./controller.ts";
export { LeaderElectionError, QueueShutDownError, ReconcileError, TerminalError } from "./errors.ts";
export { EventRecorder, type EventRecorderOptions, type EventType } from "./events.ts";
export { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizers.ts";
export { cacheKey, type EventHandler, Informer, type InformerOptions } from "./informer.ts";
export { type LeaderElectionOptions, LeaderElector, microTime } from "./leader.ts";
export { Manager, type ManagerOptions, type Runnable } from "./manager.ts";
export { Counter, Gauge, Histogram, MetricsRegistry, RuntimeMetrics } from "./metrics.ts";
export { WorkQueue, type WorkQueueOptions } from "./queue.ts";
export { type Check, ProbeServer, type ProbeServerOptions } from "./server.ts";
export { afterFailedAttempt, applyStatus, type StatusOptions, writeFailureStatus } from "./status.ts";
