/**
 * Deletion of a FluxInstance's objects "without affecting any Flux-managed workloads", as flux-operator
 * uninstalls Flux: the generated Kustomizations are switched to `deletionPolicy: Orphan` before they are
 * deleted, so their finalizers keep what they applied (flux-operator removes the Flux objects' finalizers
 * and deletes the CRDs instead; Ferry's agent keeps serving the Flux APIs, so it orphans). Everything else
 * of the inventory (the OCIRepository, the multitenant account and binding) is deleted as usual.
 */
import {
  apiVersionOfEntry,
  type ChangeSetEntry,
  getObject,
  type InventoryObject,
  mergePatchObject,
  pruneBlocker,
  type ResourceManager,
} from "../../kube/index.ts";

export interface UninstallOptions {
  signal: AbortSignal;
  /** Deletes what may be deleted (the reconciler's prune, honouring `prune: disabled`). */
  prune: (m: ResourceManager, stale: readonly InventoryObject[]) => Promise<ChangeSetEntry[]>;
}

const KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";

export async function uninstallObjects(
  m: ResourceManager,
  objects: readonly InventoryObject[],
  opts: UninstallOptions,
): Promise<ChangeSetEntry[]> {
  for (const o of objects) {
    if (o.group !== KUSTOMIZE_GROUP || o.kind !== "Kustomization") continue;
    const header = {
      apiVersion: apiVersionOfEntry({ key: o, version: o.version }),
      kind: o.kind,
      metadata: { name: o.name, namespace: o.namespace || undefined },
    };
    const live = await getObject(m.client, header, { signal: opts.signal });
    // Only what this instance will delete: not another owner's, not one kept by `prune: disabled`.
    if (!live || live.metadata.deletionTimestamp || pruneBlocker(m, live)) continue;
    await mergePatchObject(m.client, header, { spec: { deletionPolicy: "Orphan" } }, { signal: opts.signal });
  }
  return await opts.prune(m, objects);
}
