/**
 * Deletion of a FluxInstance's objects in two stages, as flux-operator's staged garbage collection: the Flux
 * objects first, waited for (at most a minute) so the sync Kustomization's finalizer prunes what it applied
 * while the account it acts as (`kustomize-controller`, multitenant) and its binding still exist; then the
 * rest.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  apiVersionOfEntry,
  type ChangeSetEntry,
  getObject,
  type InventoryObject,
  type ResourceManager,
} from "../../kube/index.ts";

export interface PruneStagedOptions {
  signal: AbortSignal;
  /** Deletes what may be deleted of `stale` (the reconciler's prune, honouring `prune: disabled`). */
  prune: (m: ResourceManager, stale: readonly InventoryObject[]) => Promise<ChangeSetEntry[]>;
  /** Called when the Flux objects are still there after `timeoutMs`; the rest is deleted anyway. */
  onTimeout?: () => void;
  /** Default 60 s. */
  timeoutMs?: number;
}

const isFlux = (o: InventoryObject) => o.group.endsWith(".fluxcd.io");

export async function pruneStaged(
  m: ResourceManager,
  objects: readonly InventoryObject[],
  opts: PruneStagedOptions,
): Promise<ChangeSetEntry[]> {
  const flux = objects.filter(isFlux);
  const pruned = await opts.prune(m, flux);
  // Only what was deleted is waited for (an object kept by `prune: disabled` never goes).
  const deleted = flux.filter((o) =>
    pruned.some(
      (p) =>
        p.action === "pruned" &&
        p.key.kind === o.kind &&
        p.key.name === o.name &&
        (p.key.namespace ?? "") === (o.namespace ?? ""),
    ),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (deleted.length > 0) {
    const live = await Promise.all(
      deleted.map((o) =>
        getObject(
          m.client,
          {
            apiVersion: apiVersionOfEntry({ key: o, version: o.version }),
            kind: o.kind,
            metadata: { name: o.name, namespace: o.namespace || undefined },
          },
          { signal: opts.signal },
        ).catch(() => undefined),
      ),
    );
    if (live.every((o) => o === undefined)) break;
    if (Date.now() > deadline) {
      opts.onTimeout?.();
      break;
    }
    await sleep(250, undefined, { signal: opts.signal });
  }
  const rest = objects.filter((o) => !isFlux(o));
  return [...pruned, ...(rest.length > 0 ? await opts.prune(m, rest) : [])];
}
