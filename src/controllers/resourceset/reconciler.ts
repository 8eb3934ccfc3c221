/**
 * The ResourceSet reconcile loop, following flux-operator: finalizer first, `reconcile: disabled`,
 * dependencies (requeued while not ready), then inputs (in-line and from the selected
 * ResourceSetInputProviders' `status.exportedInputs`), expansion with src/render/resourceset, `copyFrom`
 * resolution, staged apply as `serviceAccountName` (else the default service account) when set, prune of
 * what left the inventory, the optional
 * wait, and the status flux-operator writes (conditions, inventory, lastAppliedRevision,
 * lastHandledReconcileAt) with its events. A build error stalls the set; nothing is applied or pruned.
 * Deletion prunes the inventory and releases the finalizer.
 */
import { createHash } from "node:crypto";
import { describe } from "../../errors/index.ts";
import {
  type ChangeSetEntry,
  getObject,
  type Inventory,
  inventoryObjects,
  type KubeClient,
  type KubeObject,
  listObjects,
  ResourceManager,
} from "../../kube/index.ts";
import { stringifyObjects } from "../../render/index.ts";
import { expandResourceSet, type StepResult, templateRenderer } from "../../render/resourceset/index.ts";
import {
  addFinalizer,
  afterFailedAttempt,
  applyStatus,
  type EventRecorder,
  finalizeConditions,
  getCondition,
  hasFinalizer,
  markAttemptFailed,
  markReady,
  markReconciling,
  type ReconcileResult,
  removeFinalizer,
  setCondition,
  writeFailureStatus,
} from "../../runtime/index.ts";
import { durationMs, type ReconcileLogger } from "../ocirepository/index.ts";
import { applySet, changeLog, mergeInventory, pruneStale } from "./apply.ts";
import { ChecksumResolver } from "./checksum.ts";
import { resolveCopyFrom } from "./copyfrom.ts";
import { compileDependencies, type Dependency, unmetDependency } from "./dependencies.ts";
import { ResourceSetError } from "./errors.ts";
import { upsertHistory } from "./history.ts";
import { resolveConvertKubeConfig } from "./kubeconfig.ts";
import {
  Annotations,
  API_VERSION,
  FIELD_MANAGER,
  FINALIZER,
  FLUX_OPERATOR_HEALTH,
  finishedMessage,
  intervalMs,
  isDisabled,
  Messages,
  Reasons,
  type ResourceSetStatus,
  timeoutMs,
} from "./status.ts";

export interface ResourceSetReconcilerOptions {
  kube: KubeClient;
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  /** Field manager of applies and status writes (default `flux-operator`, as upstream). */
  fieldManager?: string | undefined;
  /** How soon a set whose dependencies are not ready is checked again (default 5 s, flux-operator's). */
  requeueDependencyMs?: number | undefined;
  /**
   * flux-operator's `--default-service-account`: the account (in the set's namespace) a set without
   * `spec.serviceAccountName` acts as; undefined: the agent's own identity. A multitenant FluxInstance does
   * not set it (its lockdown configures Flux's controllers, not flux-operator).
   */
  defaultServiceAccount?: string | undefined;
}

const KIND = "ResourceSet";
const OWNER_NAME = "resourceset.fluxcd.controlplane.io/name";
const OWNER_NAMESPACE = "resourceset.fluxcd.controlplane.io/namespace";
const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

interface Spec {
  dependsOn?: Dependency[];
  inputsFrom?: Array<{ name?: string; selector?: unknown }>;
  serviceAccountName?: string;
  wait?: boolean;
}

/** `sha256:<hex>` of the objects as YAML: the revision of an applied set. */
export function setDigest(objects: readonly KubeObject[]): string {
  return `sha256:${createHash("sha256")
    .update(stringifyObjects(objects as KubeObject[]))
    .digest("hex")}`;
}

export class ResourceSetReconciler {
  private readonly o: ResourceSetReconcilerOptions;
  private readonly log: ReconcileLogger;
  private readonly fieldManager: string;
  /** Impersonating clients by `namespace/serviceAccount`, kept for their discovery caches. */
  private readonly clients = new Map<string, KubeClient>();

  constructor(opts: ResourceSetReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
    this.fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  }

  /** Closes the impersonating clients. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const slash = key.indexOf("/");
    const ref = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { namespace: key.slice(0, slash), name: key.slice(slash + 1) },
    };
    let obj = await getObject(this.o.kube, ref, { signal });
    if (!obj) return undefined;
    if (obj.metadata.deletionTimestamp) {
      await this.uninstall(obj, key, signal);
      return undefined;
    }
    if (!hasFinalizer(obj, FINALIZER)) obj = await addFinalizer(this.o.kube, obj, FINALIZER, { signal });
    if (isDisabled(obj.metadata.annotations)) {
      this.log.info(Messages.disabled, { object: key });
      await this.o.events?.event(obj, "Warning", Reasons.disabled, Messages.disabled, { signal });
      return undefined;
    }
    const status = structuredClone((obj.status ?? {}) as ResourceSetStatus);
    const started = performance.now();
    try {
      return await this.run(obj, key, status, started, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof ResourceSetError
          ? err
          : new ResourceSetError(key, Reasons.failed, `reconciliation failed: ${describe(err)}`, {
              cause: err,
            });
      if (e.reason === Reasons.buildFailed) {
        // As upstream: without objects, the digest of a failed build is the spec's.
        const digest = `sha256:${createHash("sha256")
          .update(JSON.stringify(obj.spec ?? {}))
          .digest("hex")}`;
        status.history = upsertHistory(status.history, {
          digest,
          at: new Date(),
          durationMs: performance.now() - started,
          status: Reasons.buildFailed,
        });
      }
      return afterFailedAttempt(e, await this.failed(obj, key, status, e, signal));
    }
  };

  private client(namespace: string, sa: string | undefined): KubeClient {
    if (!sa) return this.o.kube;
    const k = `${namespace}/${sa}`;
    let c = this.clients.get(k);
    if (!c) {
      c = this.o.kube.asServiceAccount(namespace, sa);
      this.clients.set(k, c);
    }
    return c;
  }

  private manager(obj: KubeObject): ResourceManager {
    const spec = (obj.spec ?? {}) as Spec;
    return new ResourceManager({
      client: this.client(
        obj.metadata.namespace ?? "",
        spec.serviceAccountName || this.o.defaultServiceAccount,
      ),
      fieldManager: this.fieldManager,
      healthCheckExprs: FLUX_OPERATOR_HEALTH,
      ownerLabels: { [OWNER_NAME]: obj.metadata.name ?? "", [OWNER_NAMESPACE]: obj.metadata.namespace ?? "" },
    });
  }

  private async run(
    initial: KubeObject,
    key: string,
    status: ResourceSetStatus,
    started: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    let obj = initial;
    const spec = (obj.spec ?? {}) as Spec;
    const gen = obj.metadata.generation;
    const deps = compileDependencies(key, spec.dependsOn ?? []);
    const unmet = await unmetDependency(this.o.kube, key, deps, signal);
    if (unmet) {
      const msg = `Retrying dependency check: ${unmet}`;
      if (getCondition(status.conditions, "Ready")?.reason !== Reasons.dependencyNotReady) {
        this.log.info(msg, { object: key });
        await this.o.events?.event(obj, "Normal", Reasons.dependencyNotReady, msg, { signal });
      }
      status.conditions = setCondition(status.conditions, {
        type: "Ready",
        status: "False",
        reason: Reasons.dependencyNotReady,
        message: msg,
        observedGeneration: gen,
      });
      await this.write(obj, this.finalize(obj, status), signal);
      return { requeueAfterMs: this.o.requeueDependencyMs ?? 5000 };
    }

    status.conditions = markReconciling(status.conditions, gen, Reasons.progressing, Messages.inProgress);
    obj = await this.write(obj, status, signal);

    const { steps, inputs } = await this.build(obj, key, signal);
    const objects = steps.flatMap((s) => s.objects);
    const stepCount = ((obj.spec ?? {}) as { steps?: unknown[] }).steps?.length ?? 0;
    const metadata: Record<string, string> = {
      inputs: String(inputs),
      resources: String(objects.length),
      ...(stepCount > 0 ? { steps: String(stepCount) } : {}),
    };
    const record = (digest: string, result: string) => {
      status.history = upsertHistory(status.history, {
        digest,
        at: new Date(),
        durationMs: performance.now() - started,
        status: result,
        metadata,
      });
    };
    const m = this.manager(obj);
    const timeout = timeoutMs(obj.metadata.annotations, 5 * 60_000);
    let revision = "";
    const partial: ChangeSetEntry[] = [];
    const result = await (async () => {
      await resolveCopyFrom(m.client, key, objects, signal);
      await resolveConvertKubeConfig(m.client, key, objects, signal);
      const checksums = new ChecksumResolver(m.client, key, objects);
      await checksums.resolveAll(objects, signal);
      const external = checksums.externalRefs();
      if (external.length > 0) status.externalChecksumRefs = external;
      else delete status.externalChecksumRefs;
      revision = setDigest(objects);
      return await applySet(m, steps, {
        signal,
        previous: status.inventory,
        wait: spec.wait === true,
        timeoutMs: timeout,
        force: (obj.metadata.annotations?.[Annotations.force] ?? "").toLowerCase() === "enabled",
        parseDuration: durationMs,
        onApplied: (entries) => partial.push(...entries),
        object: key,
        onJobsDeleted: (jobs) => this.log.info("failed Jobs deleted for recreation", { object: key, jobs }),
      });
    })().catch((err: unknown) => {
      if (partial.length > 0) status.inventory = mergeInventory(status.inventory, partial);
      const detail = err instanceof ResourceSetError ? err.message : describe(err);
      record(setDigest(objects), Reasons.failed);
      throw new ResourceSetError(key, Reasons.failed, `reconciliation failed: ${detail}`, { cause: err });
    });
    status.inventory = result.inventory;
    const log = changeLog(result);
    if (log) {
      this.log.info("server-side apply completed", { object: key, changes: log.split("\n") });
      await this.o.events?.event(obj, "Normal", "ApplySucceeded", log, { signal });
    }
    status.lastAppliedRevision = revision;
    record(revision, Reasons.succeeded);
    const msg = finishedMessage(started);
    status.conditions = markReady(status.conditions, gen, Reasons.succeeded, msg);
    await this.write(obj, this.finalize(obj, status), signal);
    this.log.info(msg, { object: key, revision });
    await this.o.events?.event(obj, "Normal", Reasons.succeeded, msg, { signal });
    const every = intervalMs(obj.metadata.annotations, 60 * 60_000);
    return every > 0 ? { requeueAfterMs: every } : undefined;
  }

  /** The inputs and the expansion; a failure here is a configuration error (stalled). */
  private async build(
    obj: KubeObject,
    key: string,
    signal: AbortSignal,
  ): Promise<{ steps: StepResult[]; inputs: number }> {
    const spec = (obj.spec ?? {}) as Spec;
    const namespace = obj.metadata.namespace ?? "";
    let providers: KubeObject[] = [];
    if ((spec.inputsFrom ?? []).length > 0) {
      const list = await listObjects(this.o.kube, API_VERSION, "ResourceSetInputProvider", {
        signal,
        namespace,
      });
      providers = list.items.map((p) => ({
        ...p,
        apiVersion: API_VERSION,
        kind: "ResourceSetInputProvider",
        // A provider not reconciled yet exports nothing (the offline fallback to defaultValues is not wanted here).
        status: {
          ...(p.status ?? {}),
          exportedInputs: ((p.status ?? {}) as { exportedInputs?: unknown[] }).exportedInputs ?? [],
        },
      }));
      for (const [i, ref] of (spec.inputsFrom ?? []).entries()) {
        if (ref.name && !providers.some((p) => p.metadata.name === ref.name)) {
          throw new ResourceSetError(
            key,
            Reasons.buildFailed,
            `failed to compute inputs: spec.inputsFrom[${i}]: provider ${namespace}/${ref.name} not found; create the ResourceSetInputProvider or fix the name`,
            { stalled: true },
          );
        }
      }
    }
    try {
      const exp = expandResourceSet(obj, { render: templateRenderer(), providers });
      if ((spec.inputsFrom ?? []).length > 0 && exp.inputs.length === 0) {
        this.log.info("no inputs returned from providers, reconciling an empty set", { object: key });
        return { steps: [], inputs: 0 };
      }
      return { steps: exp.steps, inputs: exp.inputs.length };
    } catch (err) {
      throw new ResourceSetError(key, Reasons.buildFailed, `build failed: ${describe(err)}`, {
        cause: err,
        stalled: true,
      });
    }
  }

  private async failed(
    obj: KubeObject,
    key: string,
    status: ResourceSetStatus,
    e: ResourceSetError,
    signal: AbortSignal,
  ): Promise<boolean> {
    status.conditions = markAttemptFailed(
      status.conditions,
      obj.metadata.generation,
      e.reason,
      e.message,
      e.stalled,
    );
    const written = await writeFailureStatus(this.write(obj, this.finalize(obj, status), signal), (we) =>
      this.log.error("status write failed", { object: key, error: describe(we) }),
    );
    this.log.error(e.message, { object: key, reason: e.reason, stalled: e.stalled });
    await this.o.events?.event(obj, "Warning", e.reason, e.message, { signal });
    return written;
  }

  /** flux-operator's finalizeStatus: the request is handled; conditions settle (see finalizeConditions). */
  private finalize(obj: KubeObject, status: ResourceSetStatus): ResourceSetStatus {
    const requestedAt = obj.metadata.annotations?.[Annotations.requestedAt];
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    status.conditions = finalizeConditions(status.conditions);
    return status;
  }

  /** Deletion: prune the inventory (unless disabled), then release the finalizer. */
  private async uninstall(obj: KubeObject, key: string, signal: AbortSignal): Promise<void> {
    if (!hasFinalizer(obj, FINALIZER)) return;
    const inv = ((obj.status ?? {}) as ResourceSetStatus).inventory as Inventory | undefined;
    if (!isDisabled(obj.metadata.annotations) && inv && inv.entries.length > 0) {
      const started = performance.now();
      try {
        const pruned = await pruneStale(this.manager(obj), inventoryObjects(inv), signal);
        this.log.info(`Uninstallation completed in ${finishedMessage(started).replace(/^.* in /, "")}`, {
          object: key,
          pruned: pruned.filter((p) => p.action === "pruned").map((p) => p.ref),
        });
      } catch (err) {
        if (signal.aborted) throw err;
        this.log.error("pruning for deleted resource failed", { object: key, error: describe(err) });
      }
    }
    await removeFinalizer(this.o.kube, obj, FINALIZER, { signal });
  }

  private async write(obj: KubeObject, status: ResourceSetStatus, signal: AbortSignal): Promise<KubeObject> {
    return await applyStatus(this.o.kube, obj, status as Record<string, unknown>, {
      signal,
      fieldManager: this.fieldManager,
    });
  }
}
