/**
 * The Kustomization reconcile loop, following kustomize-controller: finalizer first (deletion runs the
 * deletion policy), suspend, CEL expressions checked, the source's artifact, `dependsOn`, then the sync of
 * the revision (sync.ts: build, dry-run and staged apply, inventory, prune, health), and the failure status,
 * events and retries Flux uses. Nothing is pruned when the build, the dry-run or the apply fails; the
 * previous inventory is kept then. Every interval re-applies, so hand edits are reverted.
 */
import type { KustomizationSpec } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import {
  CelHealthChecker,
  getObject,
  type HealthCheckExpr,
  type KubeClient,
  type KubeObject,
} from "../../kube/index.ts";
import type { KustomizeRunner } from "../../render/index.ts";
import {
  addFinalizer,
  applyStatus,
  type Condition,
  type EventRecorder,
  getCondition,
  hasFinalizer,
  markStalled,
  type ReconcileResult,
  removeCondition,
  removeFinalizer,
  setCondition,
} from "../../runtime/index.ts";
import type { ArtifactStore } from "../../store/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import { checkDependencies } from "./dependencies.ts";
import { HealthCheckCanceledError, KustomizationError, Reasons } from "./errors.ts";
import { deleteInventory, shouldDeleteResources } from "./finalize.ts";
import { type ResolvedSource, resolveSource } from "./source.ts";
import {
  API_VERSION,
  COMMIT_STATUS_ANNOTATION,
  FINALIZER,
  goDuration,
  intervalMs,
  KIND,
  type KustomizationStatus,
  ORIGIN_REVISION_ANNOTATION,
  REQUESTED_AT,
  REVISION_ANNOTATION,
  retryIntervalMs,
  STATUS_MANAGER,
  timeoutMs,
} from "./status.ts";
import { type SyncIO, syncRevision } from "./sync.ts";

export interface KustomizationReconcilerOptions {
  kube: KubeClient;
  store: ArtifactStore;
  /** How to run kustomize; resolved on first use (a missing binary fails builds with BuildFailed). */
  kustomize: KustomizeRunner | (() => KustomizeRunner);
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  /** Multi-tenancy lockdown: refuse `sourceRef`s in another namespace (Flux's `--no-cross-namespace-refs`). */
  noCrossNamespaceRefs?: boolean | undefined;
  /** Multi-tenancy lockdown: refuse remote kustomize bases (Flux's `--no-remote-bases`). */
  noRemoteBases?: boolean | undefined;
  /** Service account to impersonate when `spec.serviceAccountName` is unset (Flux's `--default-service-account`). */
  defaultServiceAccount?: string | undefined;
  /**
   * The lockdown in force, read at each reconcile (the agent's settings, which a multitenant FluxInstance
   * tightens); when set it replaces `noCrossNamespaceRefs` and `defaultServiceAccount`.
   */
  tenancy?: (() => TenancySettings) | undefined;
  /** Retry delay for a missing artifact or unready dependencies (Flux's `--requeue-dependency`, default 30 s). */
  dependencyRequeueMs?: number | undefined;
}

/**
 * `healthCheckExprs` must compile (a syntax error stalls, Flux's InvalidCELExpression); fields Ferry cannot
 * honour stall rather than being ignored: SOPS `decryption`, a remote `kubeConfig` (ignoring it would apply
 * to the agent's cluster instead), drift `ignore` rules (ignoring them would fight the fields' other owners).
 */
/**
 * What a failed attempt returns: a retry after `retryMs`, nothing when stalled. When its status write failed
 * too (the API server was away), the write error is thrown instead, so the runtime retries with backoff as
 * Flux does when finalizeStatus fails, rather than leaving `Reconciliation in progress` for a whole
 * retry interval.
 */
export function afterFailure(
  stalled: boolean,
  retryMs: number,
  writeError: unknown,
): ReconcileResult | undefined {
  if (writeError !== undefined) throw writeError;
  return stalled ? undefined : { requeueAfterMs: retryMs };
}

export function checkSpec(key: string, spec: KustomizationSpec): void {
  if (spec.kubeConfig) {
    throw new KustomizationError(
      key,
      Reasons.failed,
      "spec.kubeConfig is not supported by Ferry yet (no remote clusters); remove it and run an agent in the target cluster",
      { stalled: true },
    );
  }
  if ((spec.ignore?.length ?? 0) > 0) {
    throw new KustomizationError(
      key,
      Reasons.failed,
      "spec.ignore is not supported by Ferry yet (no drift ignore rules); remove it, and annotate objects whose fields others manage with kustomize.toolkit.fluxcd.io/ssa: IfNotPresent",
      { stalled: true },
    );
  }
  if (spec.decryption) {
    throw new KustomizationError(
      key,
      Reasons.failed,
      "spec.decryption is not supported by Ferry yet (no SOPS decryption); remove it and keep encrypted Secrets out of this Kustomization's path",
      { stalled: true },
    );
  }
  try {
    new CelHealthChecker((spec.healthCheckExprs ?? []) as HealthCheckExpr[]);
  } catch (err) {
    throw new KustomizationError(
      key,
      Reasons.invalidCEL,
      `Reconciliation failed terminally due to configuration error: ${describe(err)}`,
      { cause: err, stalled: true },
    );
  }
}

/** The multi-tenancy lockdown (the shape of the agent's `AgentSettings.tenancy()`). */
export interface TenancySettings {
  noCrossNamespaceRefs: boolean;
  defaultServiceAccount: string | undefined;
  noRemoteBases?: boolean | undefined;
}

const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

function markNotReady(
  conds: Condition[] | undefined,
  gen: number | undefined,
  reason: string,
  message: string,
): Condition[] {
  let c = setCondition(conds, { type: "Ready", status: "False", reason, message, observedGeneration: gen });
  const rec = getCondition(c, "Reconciling");
  // Flux keeps Reconciling on a failed attempt, with reason ProgressingWithRetry.
  if (rec) c = setCondition(c, { ...rec, reason: "ProgressingWithRetry" });
  return removeCondition(c, "Stalled");
}

export class KustomizationReconciler {
  private readonly o: KustomizationReconcilerOptions;
  private readonly log: ReconcileLogger;
  private readonly impersonated = new Map<string, KubeClient>();
  /** Health checks in progress, by Kustomization key, with the revision they check. */
  private readonly healthChecks = new Map<string, { revision: string; cancel: AbortController }>();
  private runner: KustomizeRunner | undefined;
  private readonly io: SyncIO;

  constructor(opts: KustomizationReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
    this.io = {
      kube: opts.kube,
      client: (obj) => this.clientFor(obj),
      runner: () => this.kustomize(),
      write: (obj, status, signal) => this.write(obj, status, signal),
      finish: (obj, status, signal) => this.finish(obj, status, signal),
      event: (...args) => this.event(...args),
      healthChecks: this.healthChecks,
      noRemoteBases: () => !!this.lockdown().noRemoteBases,
    };
  }

  /** Closes the impersonating clients' idle sockets. */
  close(): void {
    for (const c of this.impersonated.values()) c.close();
    this.impersonated.clear();
  }

  /**
   * Cancels the health check of `key` (what Flux does when the object is enqueued again): for a source
   * event only when it is checking a revision other than `revision`, otherwise (`revision` null: the
   * object itself changed or a reconcile was requested) always. `trigger` (`Kind/ns/name`) ends up in the
   * Ready message.
   */
  cancelHealthCheck(key: string, revision: string | null | undefined, trigger: string): void {
    const hc = this.healthChecks.get(key);
    if (!hc) return;
    if (revision === null || (revision !== undefined && hc.revision !== revision)) hc.cancel.abort(trigger);
  }

  private kustomize = (): KustomizeRunner => {
    const k = this.o.kustomize;
    this.runner ??= typeof k === "function" ? k() : k;
    return this.runner;
  };

  private depRequeueMs(): number {
    return this.o.dependencyRequeueMs ?? 30_000;
  }

  private lockdown(): TenancySettings {
    return (
      this.o.tenancy?.() ?? {
        noCrossNamespaceRefs: this.o.noCrossNamespaceRefs ?? false,
        defaultServiceAccount: this.o.defaultServiceAccount,
        noRemoteBases: this.o.noRemoteBases ?? false,
      }
    );
  }

  /**
   * The service account to act as (spec, then the lockdown's default), or undefined for the agent's own
   * identity. A multitenant FluxInstance's sync Kustomization names `kustomize-controller`, an account the
   * FluxInstance reconciler generates with a cluster-admin binding, as Flux's install has it.
   */
  private serviceAccount(obj: KubeObject): { namespace: string; name: string } | undefined {
    const spec = obj.spec as KustomizationSpec;
    const name = spec.serviceAccountName || this.lockdown().defaultServiceAccount;
    return name ? { namespace: obj.metadata.namespace ?? "", name } : undefined;
  }

  private clientFor(obj: KubeObject): KubeClient {
    const sa = this.serviceAccount(obj);
    if (!sa) return this.o.kube;
    const k = `${sa.namespace}/${sa.name}`;
    let c = this.impersonated.get(k);
    if (!c) {
      c = this.o.kube.asServiceAccount(sa.namespace, sa.name);
      this.impersonated.set(k, c);
    }
    return c;
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const slash = key.indexOf("/");
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const kube = this.o.kube;
    let obj = await getObject(
      kube,
      { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace } },
      { signal },
    );
    if (!obj) return undefined;
    if (obj.metadata.deletionTimestamp) {
      await this.finalize(key, obj, signal);
      return undefined;
    }
    if (!hasFinalizer(obj, FINALIZER)) obj = await addFinalizer(kube, obj, FINALIZER, { signal });
    const spec = obj.spec as KustomizationSpec;
    if (spec.suspend) {
      this.log.info("Reconciliation is suspended for this object", { object: key });
      // Flux still records a handled request (its status is finalized on every run), and nothing else.
      const requestedAt = obj.metadata.annotations?.[REQUESTED_AT];
      const st = (obj.status ?? {}) as KustomizationStatus;
      if (requestedAt !== undefined && requestedAt !== st.lastHandledReconcileAt) {
        await this.write(obj, { ...structuredClone(st), lastHandledReconcileAt: requestedAt }, signal);
      }
      return undefined;
    }
    return await this.run(key, obj, spec, signal);
  };

  private async finalize(key: string, obj: KubeObject, signal: AbortSignal): Promise<void> {
    const st = (obj.status ?? {}) as KustomizationStatus;
    if (shouldDeleteResources(obj)) {
      const sa = this.serviceAccount(obj);
      let res: Awaited<ReturnType<typeof deleteInventory>>;
      try {
        res = await deleteInventory(key, obj, this.clientFor(obj), {
          signal,
          timeoutMs: timeoutMs(obj.spec as KustomizationSpec),
          serviceAccount: sa,
          agent: this.o.kube,
        });
      } catch (err) {
        await this.event(
          obj,
          st.lastAppliedRevision,
          st.lastAppliedOriginRevision,
          "Warning",
          "pruning for deleted resource failed",
          signal,
        );
        throw err;
      }
      if (res.log)
        await this.event(
          obj,
          st.lastAppliedRevision,
          st.lastAppliedOriginRevision,
          "Normal",
          res.log,
          signal,
        );
      if (res.warning) {
        this.log.error(res.warning, { object: key });
        await this.event(
          obj,
          st.lastAppliedRevision,
          st.lastAppliedOriginRevision,
          "Warning",
          res.warning,
          signal,
        );
      }
    }
    if (hasFinalizer(obj, FINALIZER)) await removeFinalizer(this.o.kube, obj, FINALIZER, { signal });
    this.log.info("finalized deleted object", { object: key });
  }

  private async run(
    key: string,
    initial: KubeObject,
    spec: KustomizationSpec,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    const started = Date.now();
    let obj = initial;
    const status: KustomizationStatus = structuredClone((obj.status ?? {}) as KustomizationStatus);
    const at: { revision?: string; origin?: string } = {};
    try {
      checkSpec(key, spec);
      const src = await resolveSource(key, obj, {
        kube: this.o.kube,
        store: this.o.store,
        noCrossNamespaceRefs: this.lockdown().noCrossNamespaceRefs,
        signal,
      });
      if (src.kind === "noArtifact") return await this.noArtifact(key, obj, status, src.message, signal);
      at.revision = src.value.revision;
      at.origin = src.value.originRevision;
      const waiting = await this.dependencies(key, obj, status, src.value, signal);
      if (waiting) return waiting;
      obj = await syncRevision(this.io, key, obj, spec, status, src.value, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof KustomizationError
          ? err
          : new KustomizationError(key, Reasons.failed, describe(err), { cause: err });
      return await this.failed(key, obj, spec, status, e, at, started, signal);
    }
    const msg = `Reconciliation finished in ${goDuration(Date.now() - started)}, next run in ${goDuration(intervalMs(spec))}`;
    this.log.info(msg, { object: key, revision: at.revision });
    await this.event(
      obj,
      status.lastAppliedRevision,
      status.lastAppliedOriginRevision,
      "Normal",
      msg,
      signal,
      Reasons.succeeded,
      // What notification-controller reads to update commit statuses, as Flux sets it.
      { [COMMIT_STATUS_ANNOTATION]: "update" },
    );
    return { requeueAfterMs: intervalMs(spec) };
  }

  /** The source has no artifact (yet): ArtifactFailed, retried after the dependency interval. */
  private async noArtifact(
    key: string,
    obj: KubeObject,
    status: KustomizationStatus,
    message: string,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const msg = `${message}, retrying in ${goDuration(this.depRequeueMs())}`;
    status.conditions = markNotReady(status.conditions, obj.metadata.generation, Reasons.artifactFailed, msg);
    await this.finish(obj, status, signal);
    this.log.info(msg, { object: key });
    return { requeueAfterMs: this.depRequeueMs() };
  }

  /** Undefined when every dependency is ready; otherwise the status is written and a retry returned. */
  private async dependencies(
    key: string,
    obj: KubeObject,
    status: KustomizationStatus,
    src: ResolvedSource,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    if (((obj.spec as KustomizationSpec).dependsOn ?? []).length === 0) return undefined;
    try {
      await checkDependencies(key, obj, src.revision, { kube: this.o.kube, signal });
      return undefined;
    } catch (err) {
      if (!(err instanceof KustomizationError) || err.stalled) throw err;
      status.conditions = markNotReady(status.conditions, obj.metadata.generation, err.reason, err.message);
      await this.finish(obj, status, signal);
      const msg = `Dependencies do not meet ready condition, retrying in ${goDuration(this.depRequeueMs())}`;
      this.log.info(msg, { object: key, reason: err.message });
      await this.event(obj, src.revision, src.originRevision, "Normal", msg, signal, err.reason);
      return { requeueAfterMs: this.depRequeueMs() };
    }
  }

  /** Status, event and retry of a failed attempt (a canceled health check goes again at once). */
  private async failed(
    key: string,
    obj: KubeObject,
    spec: KustomizationSpec,
    status: KustomizationStatus,
    e: KustomizationError,
    at: { revision?: string; origin?: string },
    started: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    const gen = obj.metadata.generation;
    if (e.stalled) {
      status.conditions = markStalled(status.conditions, gen, e.reason, e.message);
      if (gen !== undefined) status.observedGeneration = gen;
    } else {
      status.conditions = markNotReady(status.conditions, gen, e.reason, e.message);
    }
    let writeError: unknown;
    await this.finish(obj, status, signal).catch((we: unknown) => {
      writeError = we;
      this.log.error("status write failed", { object: key, error: describe(we) });
    });
    if (e instanceof HealthCheckCanceledError) {
      const note = `Health checks canceled due to new reconciliation triggered by ${e.trigger}`;
      this.log.info(note, { object: key, revision: at.revision });
      await this.event(obj, at.revision, at.origin, "Normal", note, signal, e.reason);
      return { requeueAfterMs: 0 };
    }
    if (!e.quiet) await this.event(obj, at.revision, at.origin, "Warning", e.message, signal, e.reason);
    const retry = retryIntervalMs(spec);
    this.log.error(
      `Reconciliation failed after ${goDuration(Date.now() - started)}, next try in ${writeError === undefined ? goDuration(retry) : "a moment (the status was not written)"}`,
      { object: key, revision: at.revision, error: e.message },
    );
    return afterFailure(e.stalled, retry, writeError);
  }

  private async event(
    obj: KubeObject,
    revision: string | undefined,
    originRevision: string | undefined,
    type: "Normal" | "Warning",
    note: string,
    signal: AbortSignal,
    reason?: string,
    extra: Record<string, string> = {},
  ): Promise<void> {
    if (!this.o.events) return;
    const annotations: Record<string, string> = { ...extra };
    if (revision) annotations[REVISION_ANNOTATION] = revision;
    if (originRevision) annotations[ORIGIN_REVISION_ANNOTATION] = originRevision;
    const r =
      reason ??
      getCondition((obj.status as KustomizationStatus | undefined)?.conditions, "Ready")?.reason ??
      (type === "Warning" ? "error" : "info");
    await this.o.events.event(obj, type, r, note, { signal, annotations });
  }

  /** The last status write of a run: it also records the handled `requestedAt`, as Flux's finalizeStatus. */
  private async finish(
    obj: KubeObject,
    status: KustomizationStatus,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    const requestedAt = obj.metadata.annotations?.[REQUESTED_AT];
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    return await this.write(obj, status, signal);
  }

  private async write(
    obj: KubeObject,
    status: KustomizationStatus,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    return await applyStatus(this.o.kube, obj, status as Record<string, unknown>, {
      signal,
      fieldManager: STATUS_MANAGER,
    });
  }
}
