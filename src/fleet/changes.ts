/**
 * What applying a Kustomization's objects would change in the live cluster, from server-side dry-runs
 * under the Kustomization's own field manager, owner labels and service account (the apply engine's
 * `diff`): objects added, changed (with the changed paths and a unified diff of live vs dry-run result,
 * Secret values masked) and, when `prune` is on, removed (objects of the inventory that left the set).
 */
import { resourceManager } from "../controllers/kustomization/index.ts";
import {
  type DiffEntry,
  type Inventory,
  inventoryFromObjects,
  type KubeClient,
  type KubeObject,
  staleObjects,
} from "../kube/index.ts";
import { stringifyObjects } from "../render/index.ts";
import { unifiedDiff } from "./unified.ts";

export type ChangeAction = "added" | "changed" | "removed";

export interface ObjectChange {
  /** `Kind/ns/name`. */
  ref: string;
  action: ChangeAction;
  /** Changed field paths (`.spec.replicas`), for `changed`. */
  paths?: string[] | undefined;
  /** Unified diff of the live object and the dry-run result, for `changed`. */
  diff?: string | undefined;
}

export interface DiffKustomizationOptions {
  signal: AbortSignal;
  /** Report inventory objects that left the set as `removed` (the Kustomization's `spec.prune`). */
  prune: boolean;
}

/** The client the agent applies with for `ks`: impersonating `spec.serviceAccountName` when set. */
export function applyClient(kube: KubeClient, ks: KubeObject): KubeClient {
  const sa = (ks.spec as { serviceAccountName?: unknown } | undefined)?.serviceAccountName;
  return typeof sa === "string" && sa !== "" ? kube.asServiceAccount(ks.metadata.namespace ?? "", sa) : kube;
}

function toChange(e: DiffEntry): ObjectChange | undefined {
  switch (e.action) {
    case "created":
      return { ref: e.ref, action: "added" };
    case "pruned":
      return { ref: e.ref, action: "removed" };
    case "configured":
      return {
        ref: e.ref,
        action: "changed",
        paths: e.paths,
        diff:
          e.before && e.after
            ? unifiedDiff(stringifyObjects([e.before]), stringifyObjects([e.after]), {
                fromLabel: `live ${e.ref}`,
                toLabel: `desired ${e.ref}`,
              })
            : undefined,
      };
    default:
      return undefined;
  }
}

/** The changes, in apply order (removals last); unchanged and skipped objects are left out. */
export async function diffKustomization(
  kube: KubeClient,
  ks: KubeObject,
  objects: readonly KubeObject[],
  opts: DiffKustomizationOptions,
): Promise<ObjectChange[]> {
  const client = applyClient(kube, ks);
  try {
    const m = resourceManager(client, ks);
    const inventory = (ks.status as { inventory?: Inventory } | undefined)?.inventory;
    const stale = opts.prune ? staleObjects(inventory, inventoryFromObjects(objects)) : [];
    const force = (ks.spec as { force?: unknown } | undefined)?.force === true;
    const entries = await m.diff(objects, { signal: opts.signal, force, stale });
    return entries.map(toChange).filter((c): c is ObjectChange => c !== undefined);
  } finally {
    if (client !== kube) client.close();
  }
}
