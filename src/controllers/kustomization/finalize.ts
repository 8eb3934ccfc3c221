/**
 * Deletion of a Kustomization (its finalizer): per `spec.deletionPolicy` — `MirrorPrune` (default: delete
 * when `prune` is set), `Delete`, `WaitForTermination` (delete, then wait up to `timeout` for the objects to
 * be gone) or `Orphan` (keep) — the inventory's objects that still carry this Kustomization's owner labels
 * are deleted, as the impersonated account when one is configured. A suspended Kustomization deletes
 * nothing. A service account that no longer exists is reported and the objects are left in place.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe } from "../../errors/index.ts";
import {
  apiVersionOfEntry,
  getObject,
  inventoryObjects,
  type KubeClient,
  type KubeObject,
} from "../../kube/index.ts";
import { resourceManager } from "./apply.ts";
import { KustomizationError, Reasons } from "./errors.ts";
import type { KustomizationSpec, KustomizationStatus } from "./status.ts";

export function shouldDeleteResources(obj: KubeObject): boolean {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  const status = (obj.status ?? {}) as KustomizationStatus;
  if (spec.suspend) return false;
  if (!status.inventory?.entries?.length) return false;
  switch (spec.deletionPolicy ?? "MirrorPrune") {
    case "MirrorPrune":
      return !!spec.prune;
    case "Delete":
    case "WaitForTermination":
      return true;
    default:
      return false;
  }
}

export interface FinalizeResult {
  /** The change set text (`Kind/ns/name deleted` lines), empty when nothing was deleted. */
  log: string;
  /** A problem worth a Warning event that does not block removing the finalizer. */
  warning?: string;
}

export async function deleteInventory(
  key: string,
  obj: KubeObject,
  client: KubeClient,
  opts: {
    signal: AbortSignal;
    timeoutMs: number;
    serviceAccount?: { namespace: string; name: string } | undefined;
    /** The agent's own client: looks the service account up (the account itself may not read accounts). */
    agent: KubeClient;
  },
): Promise<FinalizeResult> {
  const status = (obj.status ?? {}) as KustomizationStatus;
  const objects = inventoryObjects(status.inventory);
  if (opts.serviceAccount) {
    const sa = await getObject(
      opts.agent,
      { apiVersion: "v1", kind: "ServiceAccount", metadata: opts.serviceAccount },
      { signal: opts.signal },
    );
    if (!sa) {
      const list = objects
        .map((o) => `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`)
        .join("\n");
      return { log: "", warning: `unable to prune objects: \n${list}` };
    }
  }
  const m = resourceManager(client, obj);
  let entries: Awaited<ReturnType<typeof m.prune>>;
  try {
    entries = await m.prune(objects, { signal: opts.signal });
  } catch (err) {
    if (opts.signal.aborted) throw err;
    throw new KustomizationError(
      key,
      Reasons.pruneFailed,
      `pruning for deleted resource failed: ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
  const deleted = entries.filter((e) => e.action === "pruned");
  const log = deleted.map((e) => `${e.ref} deleted`).join("\n");
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  if (spec.deletionPolicy === "WaitForTermination" && deleted.length > 0) {
    const deadline = Date.now() + opts.timeoutMs;
    let pending = deleted;
    while (pending.length > 0) {
      const live = await Promise.all(
        pending.map((e) =>
          getObject(
            client,
            {
              apiVersion: apiVersionOfEntry(e),
              kind: e.key.kind,
              metadata: { name: e.key.name, namespace: e.key.namespace || undefined },
            },
            { signal: opts.signal },
          ),
        ),
      );
      pending = pending.filter((_, i) => live[i] !== undefined);
      if (pending.length === 0) break;
      if (Date.now() >= deadline) return { log, warning: "failed to wait for resources termination" };
      await sleep(500, undefined, { signal: opts.signal });
    }
  }
  return { log };
}
