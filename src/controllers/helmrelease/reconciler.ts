/**
 * The HelmRelease reconcile loop, following helm-controller: finalizer, suspend, `dependsOn`, the chart
 * from `chartRef`, values (valuesFrom then values), render, then install when no release exists, upgrade
 * when the chart version, the values digest or the rendered manifest changed (or the last attempt
 * failed), nothing otherwise; uninstall on deletion. Status carries Ready and Released, `history`
 * snapshots, `lastAttempted*`, `observedGeneration`. A failed upgrade with `upgrade.remediation.retries`
 * rolls back to the previous deployed revision (as a new revision) once retries are spent.
 */
import type { HelmRelease } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import {
  listReleases,
  mergeMaps,
  type Release,
  type RenderedChart,
  renderChart,
  valuesDigest,
} from "../../helm/index.ts";
import { getObject, type HealthCheckExpr, type KubeClient, type KubeObject } from "../../kube/index.ts";
import type { KustomizeRunner } from "../../render/index.ts";
import {
  addFinalizer,
  applyStatus,
  type EventRecorder,
  getCondition,
  hasFinalizer,
  markFailed,
  markReady,
  markStalled,
  type ReconcileResult,
  removeFinalizer,
  setCondition,
} from "../../runtime/index.ts";
import type { ArtifactStore } from "../../store/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import { type ActionContext, FIELD_MANAGER, release, uninstall } from "./action.ts";
import { type AttemptIO, recordFailure, testRelease } from "./attempt.ts";
import { ClusterCapabilities } from "./capabilities.ts";
import { correctDrift } from "./drift.ts";
import { HelmReleaseError, Reasons } from "./errors.ts";
import { renderWithLookup } from "./lookup.ts";
import { releaseNameOf, releaseNamespaceOf, storageNamespaceOf } from "./names.ts";
import { manifestObjects } from "./objects.ts";
import {
  commonMetadataDigest,
  isInSync,
  type Prepared,
  postRenderersDigest,
  releaseRequest,
  resetRequested,
  retriesExhausted,
} from "./plan.ts";
import { postRender } from "./postrender.ts";
import { resolveChart } from "./source.ts";
import { durationMs, type HelmReleaseStatus, snapshot } from "./status.ts";
import { composeValues } from "./values.ts";

export const API_VERSION = "helm.toolkit.fluxcd.io/v2";
export const KIND = "HelmRelease";
export const FINALIZER = "finalizers.fluxcd.io";
export const NAME_LABEL = "helm.toolkit.fluxcd.io/name";
export const NAMESPACE_LABEL = "helm.toolkit.fluxcd.io/namespace";
export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
export const RESET_AT = "reconcile.fluxcd.io/resetAt";

type Spec = HelmRelease["spec"];

export interface HelmReleaseReconcilerOptions {
  kube: KubeClient;
  store: ArtifactStore;
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  /** Retry delay for unready dependencies or a missing chart artifact (default 30 s). */
  dependencyRequeueMs?: number | undefined;
  /** kustomize for `postRenderers` (resolved on first use). */
  kustomize?: KustomizeRunner | (() => KustomizeRunner) | undefined;
  /** The multi-tenancy lockdown in force (the agent's settings), read at each reconcile. */
  tenancy?: (() => { noCrossNamespaceRefs: boolean; defaultServiceAccount: string | undefined }) | undefined;
}

const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

export class HelmReleaseReconciler {
  private readonly o: HelmReleaseReconcilerOptions;
  private readonly log: ReconcileLogger;
  private readonly impersonated = new Map<string, KubeClient>();
  private readonly caps: ClusterCapabilities;
  private readonly io: AttemptIO;

  constructor(opts: HelmReleaseReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
    this.caps = new ClusterCapabilities(opts.kube);
    this.io = {
      event: (obj, type, reason, message, signal) => this.event(obj, type, reason, message, signal),
      log: this.log,
    };
  }

  close(): void {
    for (const c of this.impersonated.values()) c.close();
    this.impersonated.clear();
  }

  private kustomize = (): KustomizeRunner => {
    const k = this.o.kustomize;
    if (!k)
      throw new Error("no kustomize available for postRenderers; start the agent with kustomize on PATH");
    return typeof k === "function" ? k() : k;
  };

  private clientFor(obj: KubeObject): KubeClient {
    const sa = (obj.spec as Spec).serviceAccountName || this.o.tenancy?.().defaultServiceAccount;
    if (!sa) return this.o.kube;
    const k = `${obj.metadata.namespace}/${sa}`;
    let c = this.impersonated.get(k);
    if (!c) {
      c = this.o.kube.asServiceAccount(obj.metadata.namespace ?? "", sa);
      this.impersonated.set(k, c);
    }
    return c;
  }

  private async write(obj: KubeObject, status: HelmReleaseStatus, signal: AbortSignal): Promise<void> {
    await applyStatus(this.o.kube, obj, status, { signal, fieldManager: FIELD_MANAGER });
  }

  private event(
    obj: KubeObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    signal: AbortSignal,
  ): void {
    this.o.events?.event(obj, type, reason, message, { signal }).catch(() => {});
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const [namespace, name] = key.split("/") as [string, string];
    let obj = await getObject(
      this.o.kube,
      { apiVersion: API_VERSION, kind: KIND, metadata: { namespace, name } },
      { signal },
    );
    if (!obj) return undefined;
    const spec = obj.spec as Spec;
    const ctx: ActionContext = {
      client: this.clientFor(obj),
      storage: this.clientFor(obj),
      storageNamespace: storageNamespaceOf(namespace, spec),
      releaseName: releaseNameOf(name, spec),
      releaseNamespace: releaseNamespaceOf(namespace, spec),
      ownerLabels: { [NAME_LABEL]: name, [NAMESPACE_LABEL]: namespace },
      commonMetadata: spec.commonMetadata,
      healthCheckExprs: spec.healthCheckExprs as HealthCheckExpr[] | undefined,
      signal,
    };
    if (obj.metadata.deletionTimestamp) {
      if (!hasFinalizer(obj, FINALIZER)) return undefined;
      if (!spec.suspend) {
        await uninstall(ctx, {
          keepHistory: spec.uninstall?.keepHistory === true,
          disableHooks: spec.uninstall?.disableHooks === true,
          timeoutMs: durationMs(spec.uninstall?.timeout ?? spec.timeout, 300_000),
          wait: spec.uninstall?.disableWait !== true,
        });
        this.log.info("release uninstalled", { object: key });
      }
      await removeFinalizer(this.o.kube, obj, FINALIZER, { signal });
      return undefined;
    }
    obj = await addFinalizer(this.o.kube, obj, FINALIZER, { signal });
    if (spec.suspend) return undefined;
    const status = { ...((obj.status ?? {}) as HelmReleaseStatus) };
    const gen = obj.metadata.generation;
    const interval = durationMs(spec.interval, 600_000);
    try {
      return await this.sync(key, obj, ctx, status, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof HelmReleaseError
          ? err
          : new HelmReleaseError(key, Reasons.reconciliationFailed, describe(err), { cause: err });
      status.observedGeneration = gen;
      status.conditions = e.stalled
        ? markStalled(status.conditions, gen, e.reason, e.message)
        : markFailed(status.conditions, gen, e.reason, e.message);
      status.failures = (status.failures ?? 0) + 1;
      await this.write(obj, status, signal);
      this.event(obj, "Warning", e.reason, e.message, signal);
      this.log.error(e.message, { object: key, reason: e.reason });
      if (e.stalled) return { requeueAfterMs: interval };
      throw e;
    }
  };

  /** Dependencies, chart, values, render: what to release, or why to wait. */
  private async prepare(
    key: string,
    obj: KubeObject,
    ctx: ActionContext,
    signal: AbortSignal,
  ): Promise<Prepared | { reason: string; message: string }> {
    const spec = obj.spec as Spec;
    const notReady = await this.unreadyDependency(obj, signal);
    if (notReady)
      return { reason: Reasons.dependencyNotReady, message: `dependency '${notReady}' is not ready` };
    const src = await resolveChart(key, obj, {
      kube: this.o.kube,
      store: this.o.store,
      signal,
      noCrossNamespaceRefs: this.o.tenancy?.().noCrossNamespaceRefs ?? false,
    });
    if ("waiting" in src) return { reason: Reasons.artifactFailed, message: src.waiting };
    let values = await composeValues(this.o.kube, key, obj.metadata.namespace ?? "", spec, signal);
    let history: Release[];
    try {
      history = await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, { signal });
    } catch (err) {
      throw new HelmReleaseError(
        key,
        Reasons.getLastReleaseFailed,
        `failed to get last release revision of ${ctx.storageNamespace}/${ctx.releaseName}: ${describe(err)}`,
        { cause: err },
      );
    }
    const latest = history.at(-1);
    const upgrade = latest !== undefined && latest.info.status !== "uninstalled";
    // upgrade.preserveValues: the last release's values, with this spec's over them (Helm's --reuse-values).
    if (upgrade && spec.upgrade?.preserveValues) values = mergeMaps(latest.config ?? {}, values);
    const chart = `${src.chart.metadata.name}@${src.chart.metadata.version}`;
    let rendered: RenderedChart;
    try {
      const capabilities = await this.caps.get(signal);
      rendered = await renderWithLookup(
        ctx.client,
        (lookup) =>
          renderChart(src.chart, {
            releaseName: ctx.releaseName,
            namespace: ctx.releaseNamespace,
            revision: (latest?.version ?? 0) + 1,
            isUpgrade: upgrade,
            values,
            capabilities,
            lookup,
          }),
        signal,
      );
      if (spec.postRenderers?.length) {
        rendered.manifest = await postRender(rendered.manifest, spec.postRenderers, this.kustomize, signal);
      }
    } catch (err) {
      throw new HelmReleaseError(
        key,
        Reasons.renderFailed,
        `chart ${chart} failed to render: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
    return {
      chart: src.chart,
      rendered,
      history,
      latest,
      upgrade,
      configDigest: valuesDigest(values),
      ociDigest: src.ociDigest,
    };
  }

  /** `namespace/name` of the first dependency that is not Ready at its generation, if any. */
  private async unreadyDependency(obj: KubeObject, signal: AbortSignal): Promise<string | undefined> {
    for (const d of (obj.spec as Spec).dependsOn ?? []) {
      const ns = d.namespace || (obj.metadata.namespace ?? "");
      const dep = await getObject(
        this.o.kube,
        { apiVersion: API_VERSION, kind: KIND, metadata: { namespace: ns, name: d.name } },
        { signal },
      );
      const st = dep?.status as HelmReleaseStatus | undefined;
      if (!dep || getCondition(st?.conditions, "Ready")?.status !== "True") return `${ns}/${d.name}`;
      if (st?.observedGeneration !== dep.metadata.generation) return `${ns}/${d.name}`;
    }
    return undefined;
  }

  private async sync(
    key: string,
    obj: KubeObject,
    ctx: ActionContext,
    status: HelmReleaseStatus,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const spec = obj.spec as Spec;
    const gen = obj.metadata.generation;
    const p = await this.prepare(key, obj, ctx, signal);
    if ("reason" in p) {
      status.conditions = markFailed(status.conditions, gen, p.reason, p.message);
      await this.write(obj, status, signal);
      return { requeueAfterMs: this.o.dependencyRequeueMs ?? 30_000 };
    }
    const revision = p.chart.metadata.version;
    // A new generation, chart version or values: a fresh set of attempts (Flux resets its failure counts).
    if (
      status.lastAttemptedGeneration !== gen ||
      status.lastAttemptedRevision !== revision ||
      status.lastAttemptedConfigDigest !== p.configDigest ||
      resetRequested(obj, status)
    ) {
      status.installFailures = 0;
      status.upgradeFailures = 0;
    }
    status.lastAttemptedRevision = revision;
    status.lastAttemptedRevisionDigest = p.ociDigest;
    status.lastAttemptedConfigDigest = p.configDigest;
    status.lastAttemptedGeneration = gen;
    status.storageNamespace = ctx.storageNamespace;
    const requested = obj.metadata.annotations?.[REQUESTED_AT];
    if (requested) status.lastHandledReconcileAt = requested;
    const reset = obj.metadata.annotations?.[RESET_AT];
    if (reset) status.lastHandledResetAt = reset;
    const deployed = isInSync(p, spec, status);
    if (deployed) return this.upToDate(key, obj, ctx, status, deployed, p.history, signal);
    if (retriesExhausted(spec, status, p.upgrade)) {
      const msg = `Failed to ${p.upgrade ? "upgrade" : "install"} after ${(p.upgrade ? status.upgradeFailures : status.installFailures) ?? 0} attempt(s); change the spec, the chart or the values, or annotate reconcile.fluxcd.io/resetAt to try again`;
      status.conditions = markStalled(status.conditions, gen, "RetriesExceeded", msg);
      await this.write(obj, status, signal);
      return { requeueAfterMs: durationMs(spec.interval, 600_000) };
    }
    return this.act(key, obj, ctx, status, p, signal);
  }

  /** The deployed release matches: check drift if asked, report Ready. */
  private async upToDate(
    key: string,
    obj: KubeObject,
    ctx: ActionContext,
    status: HelmReleaseStatus,
    deployed: Release,
    history: Release[],
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const spec = obj.spec as Spec;
    const gen = obj.metadata.generation;
    const mode = spec.driftDetection?.mode;
    if (mode === "enabled" || mode === "warn") {
      const objects = await manifestObjects(ctx.client, deployed.manifest ?? "", deployed, signal, {
        common: spec.commonMetadata,
      });
      const drifted = await correctDrift(ctx, objects, mode);
      if (drifted.length > 0) {
        const msg = `Cluster state of release ${ctx.releaseNamespace}/${ctx.releaseName}.v${deployed.version} has drifted from the desired state: ${drifted.join(", ")}${mode === "enabled" ? "; corrected" : ""}`;
        this.event(obj, "Warning", "DriftDetected", msg, signal);
        this.log.info(msg, { object: key });
      }
    }
    status.observedGeneration = gen;
    status.history = history.slice().reverse().slice(0, 5).map(snapshot);
    if (getCondition(status.conditions, "Ready")?.status !== "True") {
      const action = deployed.version === 1 ? "install" : "upgrade";
      const msg = `Helm ${action} succeeded for release ${ctx.releaseNamespace}/${ctx.releaseName}.v${deployed.version} with chart ${deployed.chart.metadata.name}@${deployed.chart.metadata.version}`;
      const reason = action === "install" ? Reasons.installSucceeded : Reasons.upgradeSucceeded;
      status.conditions = markReady(status.conditions, gen, reason, msg);
    }
    await this.write(obj, status, signal);
    return { requeueAfterMs: durationMs(spec.interval, 600_000) };
  }

  /** Install or upgrade; on failure count it, remediate as configured, and stall once retries are spent. */
  private async act(
    key: string,
    obj: KubeObject,
    ctx: ActionContext,
    status: HelmReleaseStatus,
    p: Prepared,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const spec = obj.spec as Spec;
    const gen = obj.metadata.generation;
    const action = p.upgrade ? "upgrade" : "install";
    const chart = `${p.chart.metadata.name}@${p.chart.metadata.version}`;
    status.lastAttemptedReleaseAction = action;
    status.conditions = setCondition(status.conditions, {
      type: "Reconciling",
      status: "True",
      reason: Reasons.progressing,
      message: `Running '${action}' action`,
      observedGeneration: gen,
    });
    await this.write(obj, status, signal);
    const timeoutMs = durationMs(
      (p.upgrade ? spec.upgrade?.timeout : spec.install?.timeout) ?? spec.timeout,
      300_000,
    );
    let rel: Release;
    try {
      rel = await release(ctx, releaseRequest(spec, p, timeoutMs));
      await testRelease(ctx, rel, status, gen, p.upgrade, spec);
    } catch (err) {
      throw await recordFailure(this.io, key, obj, ctx, status, p, timeoutMs, err);
    }
    const after = await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, { signal });
    status.history = after.slice().reverse().slice(0, 5).map(snapshot);
    status.observedGeneration = gen;
    status.observedPostRenderersDigest = postRenderersDigest(spec);
    status.observedCommonMetadataDigest = commonMetadataDigest(spec);
    status.failures = 0;
    status.installFailures = 0;
    status.upgradeFailures = 0;
    const reason = p.upgrade ? Reasons.upgradeSucceeded : Reasons.installSucceeded;
    const msg = `Helm ${action} succeeded for release ${ctx.releaseNamespace}/${ctx.releaseName}.v${rel.version} with chart ${chart}`;
    status.conditions = setCondition(status.conditions, {
      type: "Released",
      status: "True",
      reason,
      message: msg,
      observedGeneration: gen,
    });
    status.conditions = markReady(status.conditions, gen, reason, msg).filter((c) => c.type !== "Remediated");
    await this.write(obj, status, signal);
    this.event(obj, "Normal", reason, msg, signal);
    this.log.info(msg, { object: key });
    return { requeueAfterMs: durationMs(spec.interval, 600_000) };
  }
}
