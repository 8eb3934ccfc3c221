/**
 * One reconcile of a ready source revision: progress status, build, dry-run and staged apply, the new
 * inventory, prune (only after a successful apply; what may not have been deleted stays tracked), health
 * checks (cancelled when a newer revision arrives), and the Ready status and events Flux writes.
 */
import type { Inventory, KubeClient, KubeObject, ResourceManager, WaitTarget } from "../../kube/index.ts";
import type { KustomizeRunner } from "../../render/index.ts";
import { getCondition, markReady, removeCondition, setCondition } from "../../runtime/index.ts";
import {
  applyObjects,
  changeLog,
  checkHealth,
  excludeDisabled,
  healthTargets,
  pruneStale,
  refuseEncryptedSecrets,
  resourceManager,
} from "./apply.ts";
import { buildObjects } from "./build.ts";
import { HealthCheckCanceledError, KustomizationError, Reasons } from "./errors.ts";
import { manifestsDigest, upsertHistory } from "./history.ts";
import type { ResolvedSource } from "./source.ts";
import {
  goDuration,
  HEALTHY,
  type KustomizationSpec,
  type KustomizationStatus,
  timeoutMs,
} from "./status.ts";

/** What a sync needs from its reconciler: clients, kustomize, status writes, events, running health checks. */
export interface SyncIO {
  /** The agent's client (substituteFrom reads). */
  kube: KubeClient;
  /** The client applying for this object (impersonated when it names a service account). */
  client(obj: KubeObject): KubeClient;
  runner(): KustomizeRunner;
  write(obj: KubeObject, status: KustomizationStatus, signal: AbortSignal): Promise<KubeObject>;
  finish(obj: KubeObject, status: KustomizationStatus, signal: AbortSignal): Promise<KubeObject>;
  event(
    obj: KubeObject,
    revision: string | undefined,
    originRevision: string | undefined,
    type: "Normal" | "Warning",
    note: string,
    signal: AbortSignal,
    reason?: string,
  ): Promise<void>;
  /** Health checks in progress, by Kustomization key, with the revision they check. */
  healthChecks: Map<string, { revision: string; cancel: AbortController }>;
  /** Whether remote kustomize bases are refused now (the lockdown in force). */
  noRemoteBases(): boolean;
}

/** `next` plus the entries of `previous` it lacks (sorted by id, as inventories are). */
export function withStale(next: Inventory, previous: Inventory | undefined): Inventory {
  const ids = new Set(next.entries.map((e) => e.id));
  const entries = [...next.entries, ...(previous?.entries ?? []).filter((e) => !ids.has(e.id))];
  return { entries: entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** Build, apply, prune, health: the part that runs once source and dependencies are ready. */
/** One sync's settings and helpers, shared by its steps. */
interface Run {
  io: SyncIO;
  key: string;
  spec: KustomizationSpec;
  status: KustomizationStatus;
  src: ResolvedSource;
  signal: AbortSignal;
  /** `signal` bounded by spec.timeout (build, apply, prune). */
  work: AbortSignal;
  timeout: number;
  /** Sets Reconciling=True with `<what> for revision … with a timeout of …`. */
  progressing(what: string): void;
  /** Runs a step under `work`: running out of spec.timeout becomes this step's failure, not an abort. */
  timed<T>(reason: string, what: string, step: () => Promise<T>): Promise<T>;
}

export async function syncRevision(
  io: SyncIO,
  key: string,
  initial: KubeObject,
  spec: KustomizationSpec,
  status: KustomizationStatus,
  src: ResolvedSource,
  signal: AbortSignal,
): Promise<KubeObject> {
  const started = Date.now();
  const gen = initial.metadata.generation;
  const timeout = timeoutMs(spec);
  const work = AbortSignal.any([signal, AbortSignal.timeout(timeout)]);
  const run: Run = {
    io,
    key,
    spec,
    status,
    src,
    signal,
    work,
    timeout,
    progressing: (what) => {
      status.conditions = setCondition(status.conditions, {
        type: "Reconciling",
        status: "True",
        reason: Reasons.progressing,
        message: `${what} for revision ${src.revision} with a timeout of ${goDuration(timeout)}`,
        observedGeneration: gen,
      });
      status.conditions = removeCondition(status.conditions, "Stalled");
    },
    timed: async (reason, what, step) => {
      try {
        return await step();
      } catch (err) {
        if (!work.aborted || signal.aborted || err instanceof KustomizationError) throw err;
        throw new KustomizationError(
          key,
          reason,
          `${what} did not finish within the timeout of ${goDuration(timeout)}; raise spec.timeout`,
          { cause: err },
        );
      }
    },
  };
  status.conditions = setCondition(status.conditions, {
    type: "Ready",
    status: "Unknown",
    reason: Reasons.progressing,
    message: "Reconciliation in progress",
    observedGeneration: gen,
  });
  run.progressing("Fetching manifests");
  status.lastAttemptedRevision = src.revision;
  let obj = await io.write(initial, status, signal);
  const objects = await run.timed(Reasons.buildFailed, "kustomize build", () =>
    buildObjects({
      key,
      obj,
      sourceDir: src.dir,
      kube: io.kube,
      runner: io.runner,
      signal: work,
      noRemoteBases: io.noRemoteBases(),
    }),
  );

  // From here on every outcome is recorded in status.history under the digest of what was built.
  const digest = manifestsDigest(objects);
  const meta: Record<string, string> = { revision: src.revision };
  if (src.originRevision) meta.originRevision = src.originRevision;
  const record = (outcome: string) => {
    status.history = upsertHistory(status.history, digest, new Date(), Date.now() - started, outcome, meta);
  };
  try {
    obj = await applyAndCheck(run, obj, objects);
  } catch (err) {
    if (err instanceof KustomizationError && !(err instanceof HealthCheckCanceledError)) record(err.reason);
    throw err;
  }
  record(Reasons.succeeded);
  status.lastAppliedRevision = src.revision;
  if (src.originRevision) status.lastAppliedOriginRevision = src.originRevision;
  else delete status.lastAppliedOriginRevision;
  status.conditions = markReady(
    status.conditions,
    gen,
    Reasons.succeeded,
    `Applied revision: ${src.revision}`,
  );
  if (gen !== undefined) status.observedGeneration = gen;
  return await io.finish(obj, status, signal);
}

/** Apply, new inventory, prune, health: what follows a successful build. */
async function applyAndCheck(run: Run, initial: KubeObject, objects: KubeObject[]): Promise<KubeObject> {
  const { io, key, spec, status, src, signal, work, timeout } = run;
  let obj = initial;
  refuseEncryptedSecrets(key, objects);
  const m = resourceManager(io.client(obj), obj);
  const applied = await run.timed(Reasons.failed, "server-side apply", () =>
    applyObjects(key, m, excludeDisabled(objects), { force: !!spec.force, signal: work, timeoutMs: timeout }),
  );
  const applyLog = changeLog(applied.entries);
  if (applyLog)
    await io.event(obj, src.revision, src.originRevision, "Normal", applyLog, signal, Reasons.progressing);
  const previous = status.inventory;
  status.inventory = applied.inventory;

  if (spec.prune) {
    let pruned: Awaited<ReturnType<typeof pruneStale>>;
    try {
      pruned = await run.timed(Reasons.pruneFailed, "garbage collection", () =>
        pruneStale(key, m, previous, applied.inventory, work),
      );
    } catch (err) {
      // Keep tracking what may not have been deleted, so the next run prunes it (objects already gone
      // are skipped then); otherwise a failed delete would leave labelled orphans behind.
      status.inventory = withStale(applied.inventory, previous);
      throw err;
    }
    const pruneLog = changeLog(pruned);
    if (pruneLog)
      await io.event(obj, src.revision, src.originRevision, "Normal", pruneLog, signal, Reasons.progressing);
    // An object kept by `prune: disabled` stays out of the inventory, as Flux does.
  }

  const targets = healthTargets(obj, applied.entries);
  if (targets.length > 0) {
    run.progressing("Running health checks");
    obj = await health(io, key, obj, m, targets, status, src, timeout, signal);
  } else {
    status.conditions = removeCondition(status.conditions, HEALTHY);
  }
  return obj;
}

/** Health checks with Flux's Healthy condition and events; a new source revision cancels them. */
async function health(
  io: SyncIO,
  key: string,
  initial: KubeObject,
  m: ResourceManager,
  targets: WaitTarget[],
  status: KustomizationStatus,
  src: ResolvedSource,
  timeout: number,
  signal: AbortSignal,
): Promise<KubeObject> {
  const gen = initial.metadata.generation;
  const revision = src.revision;
  const wasHealthy = getCondition(status.conditions, HEALTHY)?.status === "True";
  const setHealthy = (st: "True" | "False" | "Unknown", reason: string, message: string) => {
    status.conditions = setCondition(status.conditions, {
      type: HEALTHY,
      status: st,
      reason,
      message,
      observedGeneration: gen,
    });
  };
  setHealthy(
    "Unknown",
    Reasons.progressing,
    `Running health checks for revision ${revision} with a timeout of ${goDuration(timeout)}`,
  );
  const obj = await io.write(initial, status, signal);
  const startedAt = Date.now();
  // A new source revision cancels this wait (cancelHealthCheck), so it need not run out its timeout.
  const cancel = new AbortController();
  io.healthChecks.set(key, { revision, cancel });
  try {
    // Health checks get their own full timeout, as in Flux (not what is left of the build's).
    await checkHealth(key, m, targets, {
      signal: AbortSignal.any([signal, cancel.signal]),
      timeoutMs: timeout,
    });
  } catch (err) {
    if (cancel.signal.aborted && !signal.aborted) {
      throw new HealthCheckCanceledError(key, String(cancel.signal.reason), err);
    }
    if (!(err instanceof KustomizationError)) throw err;
    const message = `health check failed after ${goDuration(Date.now() - startedAt)}: ${err.message}`;
    setHealthy("False", Reasons.healthCheckFailed, message);
    throw new KustomizationError(key, Reasons.healthCheckFailed, message, { cause: err });
  } finally {
    if (io.healthChecks.get(key)?.cancel === cancel) io.healthChecks.delete(key);
  }
  const passed = `Health check passed in ${goDuration(Date.now() - startedAt)}`;
  setHealthy("True", "Succeeded", passed);
  if (status.lastAppliedRevision !== revision || !wasHealthy) {
    await io.event(obj, revision, src.originRevision, "Normal", passed, signal, Reasons.progressing);
  }
  return obj;
}
