/**
 * Apply, prune and health checks of one reconcile, through the apply engine (src/kube): a dry-run of the
 * whole set then a staged server-side apply as `kustomize-controller` with the owner labels; the new
 * inventory; pruning of what left it (only when the apply succeeded and `spec.prune` is set); then the
 * health checks (`wait` = every applied object, `healthChecks` = the named ones, CEL `healthCheckExprs`).
 */
import { describe } from "../../errors/index.ts";
import {
  apiVersionOfEntry,
  type ChangeSetEntry,
  fluxCleanupDefaults,
  type HealthCheckExpr,
  type Inventory,
  inventoryFromChangeSet,
  type KubeClient,
  type KubeObject,
  ResourceManager,
  staleObjects,
  type WaitTarget,
} from "../../kube/index.ts";
import { KustomizationError, Reasons } from "./errors.ts";
import { FIELD_MANAGER, type KustomizationSpec, NAME_LABEL, NAMESPACE_LABEL } from "./status.ts";

/** A Kustomization's ResourceManager: Flux's field manager, owner labels, cleanup and CEL health checks. */
export function resourceManager(client: KubeClient, obj: KubeObject): ResourceManager {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  return new ResourceManager({
    client,
    fieldManager: FIELD_MANAGER,
    ownerLabels: { [NAME_LABEL]: obj.metadata.name ?? "", [NAMESPACE_LABEL]: obj.metadata.namespace ?? "" },
    healthCheckExprs: (spec.healthCheckExprs ?? []) as HealthCheckExpr[],
    cleanup: fluxCleanupDefaults(FIELD_MANAGER),
  });
}

/** Change set lines as kustomize-controller writes them (`Kind/ns/name created`, pruned ones `deleted`). */
export function changeLog(entries: readonly ChangeSetEntry[]): string {
  return entries
    .filter((e) => e.action !== "unchanged" && e.action !== "skipped")
    .map((e) => `${e.ref} ${e.action === "pruned" ? "deleted" : e.action}`)
    .join("\n");
}

/**
 * A SOPS-encrypted Secret (a top-level `sops` field) must never reach the cluster as is: Ferry does not
 * decrypt, so it fails the apply, as kustomize-controller does without `spec.decryption` (objects marked
 * `kustomize.toolkit.fluxcd.io/decrypt: disabled` pass).
 */
export function refuseEncryptedSecrets(key: string, objects: readonly KubeObject[]): void {
  for (const o of objects) {
    if (o.kind !== "Secret" || o.apiVersion !== "v1" || !("sops" in o)) continue;
    if (o.metadata.annotations?.["kustomize.toolkit.fluxcd.io/decrypt"]?.toLowerCase() === "disabled")
      continue;
    throw new KustomizationError(
      key,
      Reasons.failed,
      `Secret/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name} is SOPS encrypted, configuring decryption is required for this secret to be reconciled; Ferry does not decrypt SOPS yet, so commit it decrypted through another channel or drop it from the overlay`,
    );
  }
}

const RECONCILE_ANNOTATION = "kustomize.toolkit.fluxcd.io/reconcile";
const SSA_ANNOTATION = "kustomize.toolkit.fluxcd.io/ssa";

/**
 * Objects built with `kustomize.toolkit.fluxcd.io/reconcile: disabled` are left alone, as Flux's exclusion
 * selector does: they go to the engine marked `ssa: Ignore` (skipped, kept in the inventory, never sent).
 */
export function excludeDisabled(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) =>
    o.metadata.annotations?.[RECONCILE_ANNOTATION]?.toLowerCase() === "disabled"
      ? {
          ...o,
          metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [SSA_ANNOTATION]: "Ignore" } },
        }
      : o,
  );
}

export async function applyObjects(
  key: string,
  m: ResourceManager,
  objects: readonly KubeObject[],
  opts: { force: boolean; signal: AbortSignal; timeoutMs: number },
): Promise<{ entries: ChangeSetEntry[]; inventory: Inventory }> {
  try {
    const entries = await m.apply(objects, {
      signal: opts.signal,
      force: opts.force,
      waitTimeoutMs: opts.timeoutMs,
    });
    return { entries, inventory: inventoryFromChangeSet(entries) };
  } catch (err) {
    if (opts.signal.aborted && !(err instanceof Error && err.name === "WaitTimeoutError")) throw err;
    throw new KustomizationError(key, Reasons.failed, describe(err), { cause: err });
  }
}

export async function pruneStale(
  key: string,
  m: ResourceManager,
  previous: Inventory | undefined,
  next: Inventory,
  signal: AbortSignal,
): Promise<ChangeSetEntry[]> {
  const stale = staleObjects(previous, next);
  if (stale.length === 0) return [];
  try {
    return await m.prune(stale, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new KustomizationError(key, Reasons.pruneFailed, describe(err), { cause: err });
  }
}

/** What to wait for: every applied object with `wait`, else the `healthChecks` (none → nothing). */
export function healthTargets(obj: KubeObject, entries: readonly ChangeSetEntry[]): WaitTarget[] {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  if (spec.wait) {
    // Never wait on itself (a Kustomization that applies its own definition would deadlock).
    const self = (e: ChangeSetEntry) =>
      e.key.kind === "Kustomization" &&
      e.key.name === obj.metadata.name &&
      e.key.namespace === obj.metadata.namespace;
    return entries
      .filter((e) => e.action !== "pruned" && !self(e))
      .map((e) => ({
        apiVersion: apiVersionOfEntry(e),
        kind: e.key.kind,
        metadata: { name: e.key.name, namespace: e.key.namespace || undefined },
      }));
  }
  return (spec.healthChecks ?? [])
    .filter(
      (h) =>
        !(
          h.kind === "Kustomization" &&
          h.name === obj.metadata.name &&
          (h.namespace || obj.metadata.namespace) === obj.metadata.namespace
        ),
    )
    .map((h) => ({
      apiVersion: h.apiVersion ?? "v1",
      kind: h.kind,
      metadata: { name: h.name, namespace: h.namespace || obj.metadata.namespace },
    }));
}

export async function checkHealth(
  key: string,
  m: ResourceManager,
  targets: readonly WaitTarget[],
  opts: { signal: AbortSignal; timeoutMs: number },
): Promise<void> {
  try {
    await m.wait(targets, { signal: opts.signal, timeoutMs: opts.timeoutMs, intervalMs: 1000 });
  } catch (err) {
    if (opts.signal.aborted) throw err;
    throw new KustomizationError(key, Reasons.healthCheckFailed, describe(err), { cause: err });
  }
}
