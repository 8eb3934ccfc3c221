/**
 * The FluxInstance reconcile loop, following flux-operator: the name must be `flux`, finalizer first,
 * `reconcile: disabled`, then Reconciling; build (generate.ts, the patches through kustomize), the
 * attempted revision and its event, server-side apply as `flux-operator` with owner labels, the inventory,
 * prune of what left it (never objects annotated `fluxcd.controlplane.io/prune: disabled`), the health wait
 * of every applied object when `spec.wait` (default true) — so Ready follows the generated Kustomization's
 * Ready — and the status flux-operator writes. Ferry adds the `FerryCompatible` condition naming the spec
 * fields that have no effect in Ferry. Deletion deletes the inventory (unless disabled) without affecting
 * the workloads (the sync Kustomization is orphaned first, uninstall.ts) and releases the finalizer.
 */
import { createHash } from "node:crypto";
import { describe } from "../../errors/index.ts";
import {
  apiVersionOfEntry,
  type ChangeSetEntry,
  formatChanges,
  getObject,
  type Inventory,
  type InventoryObject,
  inventoryFromChangeSet,
  inventoryObjects,
  type KubeClient,
  type KubeObject,
  ResourceManager,
  staleObjects,
} from "../../kube/index.ts";
import { KustomizeBuildError, type KustomizeRunner, stringifyObjects } from "../../render/index.ts";
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
  markStalled,
  type ReconcileResult,
  removeFinalizer,
  setCondition,
  writeFailureStatus,
} from "../../runtime/index.ts";
import { durationMs, type ReconcileLogger } from "../ocirepository/index.ts";
import { FluxInstanceError } from "./errors.ts";
import {
  type FluxInstanceSpec,
  generate,
  notApplicableMessage,
  type TenancySettings,
  withControllerAccount,
} from "./generate.ts";
import { applyPatches } from "./patch.ts";
import {
  Annotations,
  API_VERSION,
  FERRY_COMPATIBLE,
  FERRY_VERSION,
  FIELD_MANAGER,
  FINALIZER,
  type FluxInstanceStatus,
  INSTANCE_NAME,
  KIND,
  Messages,
  OWNER_NAME,
  OWNER_NAMESPACE,
  Reasons,
} from "./status.ts";
import { uninstallObjects } from "./uninstall.ts";
import { waitSynced } from "./wait.ts";

export interface FluxInstanceReconcilerOptions {
  kube: KubeClient;
  /** How patches run kustomize (resolved only when an instance has patches). */
  kustomize: () => KustomizeRunner;
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  /** Field manager of applies and status writes (default `flux-operator`, as upstream). */
  fieldManager?: string | undefined;
  /** Receives the multi-tenancy lockdown an instance asks for (undefined when it goes away). */
  onTenancy?: ((instance: string, settings: TenancySettings | undefined) => void) | undefined;
  /** Called after every reconcile of an instance (the FluxReport refreshes on it). */
  onReconciled?: ((instance: string) => void) | undefined;
  /** Health-check poll interval (default 2 s). */
  healthIntervalMs?: number | undefined;
}

const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

function isDisabled(annotations: Record<string, string> | undefined): boolean {
  return (annotations?.[Annotations.reconcile] ?? "").toLowerCase() === "disabled";
}

/** "Reconciliation finished in 1.2s", as flux-operator prints it. */
function finished(startedMs: number): string {
  const ms = performance.now() - startedMs;
  const text = ms < 1000 ? `${Math.round(ms)}ms` : `${(Math.round(ms / 100) / 10).toString()}s`;
  return `Reconciliation finished in ${text}`;
}

/** `v<ferry version>@sha256:<hex>` of the objects as YAML (flux-operator: `<flux version>@sha256:<digest>`). */
export function instanceRevision(objects: readonly KubeObject[]): string {
  const digest = createHash("sha256")
    .update(stringifyObjects(objects as KubeObject[]))
    .digest("hex");
  return `v${FERRY_VERSION}@sha256:${digest}`;
}

export class FluxInstanceReconciler {
  private readonly o: FluxInstanceReconcilerOptions;
  private readonly log: ReconcileLogger;
  private readonly fieldManager: string;

  constructor(opts: FluxInstanceReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
    this.fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    try {
      return await this.reconcileOne(key, signal);
    } finally {
      this.o.onReconciled?.(key);
    }
  };

  private async reconcileOne(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const slash = key.indexOf("/");
    const ref = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { namespace: key.slice(0, slash), name: key.slice(slash + 1) },
    };
    let obj = await getObject(this.o.kube, ref, { signal });
    if (!obj) {
      this.o.onTenancy?.(key, undefined);
      return undefined;
    }
    if (obj.metadata.deletionTimestamp) {
      this.o.onTenancy?.(key, undefined);
      await this.uninstall(obj, key, signal);
      return undefined;
    }
    const status = structuredClone((obj.status ?? {}) as FluxInstanceStatus);
    if (obj.metadata.name !== INSTANCE_NAME) {
      const msg = `FluxInstance ${key} is not reconciled: the only accepted name for a FluxInstance is '${INSTANCE_NAME}'; rename it to ${INSTANCE_NAME}`;
      if (getCondition(status.conditions, "Stalled")?.reason !== Reasons.invalidName) {
        this.log.error(msg, { object: key });
        await this.o.events?.event(obj, "Warning", Reasons.invalidName, msg, { signal });
      }
      status.conditions = markStalled(status.conditions, obj.metadata.generation, Reasons.invalidName, msg);
      await this.write(obj, this.finalize(obj, status), signal);
      return undefined;
    }
    if (!hasFinalizer(obj, FINALIZER)) obj = await addFinalizer(this.o.kube, obj, FINALIZER, { signal });
    if (isDisabled(obj.metadata.annotations)) {
      this.log.info(Messages.disabled, { object: key });
      await this.o.events?.event(obj, "Warning", Reasons.disabled, Messages.disabled, { signal });
      return undefined;
    }
    const started = performance.now();
    try {
      return await this.run(obj, key, status, started, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof FluxInstanceError
          ? err
          : new FluxInstanceError(key, Reasons.failed, `reconciliation failed: ${describe(err)}`, {
              cause: err,
            });
      return afterFailedAttempt(e, await this.failed(obj, key, status, e, signal));
    }
  }

  private manager(obj: KubeObject): ResourceManager {
    return new ResourceManager({
      client: this.o.kube,
      fieldManager: this.fieldManager,
      ownerLabels: { [OWNER_NAME]: obj.metadata.name ?? "", [OWNER_NAMESPACE]: obj.metadata.namespace ?? "" },
    });
  }

  private async build(obj: KubeObject, key: string, signal: AbortSignal) {
    const g = generate(obj);
    try {
      const patched = await applyPatches(g.objects, g.patches, { signal, kustomize: this.o.kustomize });
      return { ...g, objects: withControllerAccount(patched, obj.metadata.namespace ?? "") };
    } catch (err) {
      if (signal.aborted) throw err;
      const detail = err instanceof KustomizeBuildError ? err.detail : describe(err);
      throw new FluxInstanceError(
        key,
        Reasons.buildFailed,
        `build failed: spec.kustomize.patches could not be applied: ${detail}`,
        { cause: err, stalled: true },
      );
    }
  }

  private async run(
    initial: KubeObject,
    key: string,
    status: FluxInstanceStatus,
    started: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    let obj = initial;
    const spec = (obj.spec ?? {}) as FluxInstanceSpec;
    const gen = obj.metadata.generation;
    status.conditions = markReconciling(status.conditions, gen, Reasons.progressing, Messages.inProgress);
    obj = await this.write(obj, status, signal);

    const built = await this.build(obj, key, signal);
    this.o.onTenancy?.(key, built.tenancy);
    status.conditions = setCondition(status.conditions, {
      type: FERRY_COMPATIBLE,
      status: built.notApplicable.length === 0 ? "True" : "False",
      reason: built.notApplicable.length === 0 ? Reasons.allApplied : Reasons.notApplicable,
      message: notApplicableMessage(built.notApplicable),
      observedGeneration: gen,
    });
    const revision = instanceRevision(built.objects);
    if (status.lastAttemptedRevision !== revision) {
      const msg = status.lastAttemptedRevision
        ? `Upgrading to revision ${revision}`
        : `Installing revision ${revision}`;
      this.log.info(msg, { object: key });
      await this.o.events?.event(obj, "Normal", Reasons.progressing, msg, { signal });
      status.lastAttemptedRevision = revision;
    }
    obj = await this.write(obj, status, signal);

    const m = this.manager(obj);
    const previous = status.inventory as Inventory | undefined;
    const applied = await m.apply(built.objects, { signal });
    const inventory = inventoryFromChangeSet(applied);
    status.inventory = inventory;
    const pruned = await this.prune(m, staleObjects(previous, inventory), signal);
    const changes = [...applied, ...pruned].filter((c) => c.action !== "unchanged" && c.action !== "skipped");
    if (spec.wait !== false && applied.length > 0) {
      const timeoutMs = durationMs(obj.metadata.annotations?.[Annotations.reconcileTimeout]) ?? 5 * 60_000;
      await waitSynced(m, built.objects, { signal, timeoutMs, intervalMs: this.o.healthIntervalMs ?? 2000 });
      this.log.info("Health check completed", { object: key, revision });
    }
    if (changes.length > 0) {
      const action = (previous?.entries.length ?? 0) === 0 ? "installed" : "updated";
      const msg = `Ferry v${FERRY_VERSION} ${action}\n${formatChanges(changes)}`;
      this.log.info("server-side apply completed", {
        object: key,
        changes: formatChanges(changes).split("\n"),
      });
      await this.o.events?.event(obj, "Normal", Reasons.succeeded, msg, { signal });
    }
    status.lastAppliedRevision = revision;
    const msg = finished(started);
    status.conditions = markReady(status.conditions, gen, Reasons.succeeded, msg);
    await this.write(obj, this.finalize(obj, status), signal);
    this.log.info(msg, { object: key, revision });
    await this.o.events?.event(obj, "Normal", Reasons.succeeded, msg, { signal });
    const every = durationMs(obj.metadata.annotations?.[Annotations.reconcileEvery]) ?? 60 * 60_000;
    // flux-operator's GetInterval: `reconcileEvery: 0s` means no periodic reconcile.
    return every > 0 ? { requeueAfterMs: every } : undefined;
  }

  /** Deletes stale objects still carrying this instance's owner labels, except those opted out. */
  private async prune(
    m: ResourceManager,
    stale: readonly InventoryObject[],
    signal: AbortSignal,
  ): Promise<ChangeSetEntry[]> {
    const prunable: InventoryObject[] = [];
    for (const o of stale) {
      const live = await getObject(
        m.client,
        {
          apiVersion: apiVersionOfEntry({ key: o, version: o.version }),
          kind: o.kind,
          metadata: { name: o.name, namespace: o.namespace || undefined },
        },
        { signal },
      ).catch(() => undefined);
      if (live?.metadata.annotations?.[Annotations.prune]?.toLowerCase() === "disabled") continue;
      prunable.push(o);
    }
    return prunable.length === 0 ? [] : await m.prune(prunable, { signal });
  }

  private async failed(
    obj: KubeObject,
    key: string,
    status: FluxInstanceStatus,
    e: FluxInstanceError,
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
  private finalize(obj: KubeObject, status: FluxInstanceStatus): FluxInstanceStatus {
    const requestedAt = obj.metadata.annotations?.[Annotations.requestedAt];
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    status.conditions = finalizeConditions(status.conditions);
    return status;
  }

  /** Deletion: delete the inventory, orphaning the workloads (unless `reconcile: disabled`), then release the finalizer. */
  private async uninstall(obj: KubeObject, key: string, signal: AbortSignal): Promise<void> {
    if (!hasFinalizer(obj, FINALIZER)) return;
    const inv = ((obj.status ?? {}) as FluxInstanceStatus).inventory as Inventory | undefined;
    if (!isDisabled(obj.metadata.annotations) && inv && inv.entries.length > 0) {
      const started = performance.now();
      try {
        const pruned = await uninstallObjects(this.manager(obj), inventoryObjects(inv), {
          signal,
          prune: (m, stale) => this.prune(m, stale, signal),
        });
        this.log.info(finished(started).replace("Reconciliation", "Uninstallation"), {
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

  private async write(obj: KubeObject, status: FluxInstanceStatus, signal: AbortSignal): Promise<KubeObject> {
    return await applyStatus(this.o.kube, obj, status as Record<string, unknown>, {
      signal,
      fieldManager: this.fieldManager,
    });
  }
}
