/**
 * `fluxcd.controlplane.io/recreateOnFailure: enabled` on a Job of a ResourceSet, as flux-operator handles
 * it: before a step is applied, each such Job that exists, belongs to this set (owner labels) and has
 * failed (kstatus) is deleted in the foreground and waited for, so the apply creates it anew — a Job's
 * template is immutable and a failed Job never runs again by itself.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { deleteObject, getObject, type KubeObject, type ResourceManager } from "../../kube/index.ts";
import { ResourceSetError } from "./errors.ts";
import { Reasons } from "./status.ts";

export const RECREATE_ON_FAILURE = "fluxcd.controlplane.io/recreateOnFailure";

function header(o: KubeObject) {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
  };
}

/** Deletes the failed Jobs among `desired` that opted in; returns their `Job/ns/name`. */
export async function deleteFailedJobs(
  m: ResourceManager,
  object: string,
  desired: readonly KubeObject[],
  opts: { signal: AbortSignal; timeoutMs: number },
): Promise<string[]> {
  const deleted: KubeObject[] = [];
  for (const o of desired) {
    if (o.apiVersion !== "batch/v1" || o.kind !== "Job") continue;
    if (o.metadata.annotations?.[RECREATE_ON_FAILURE]?.toLowerCase() !== "enabled") continue;
    const live = await getObject(m.client, header(o), { signal: opts.signal });
    if (!live || m.health(live).status !== "Failed") continue;
    const labels = live.metadata.labels ?? {};
    if (Object.entries(m.ownerLabels).some(([k, v]) => labels[k] !== v)) continue;
    try {
      await deleteObject(m.client, header(o), { signal: opts.signal, propagationPolicy: "Foreground" });
    } catch (err) {
      throw new ResourceSetError(
        object,
        Reasons.failed,
        `failed to delete failed Job ${o.metadata.namespace}/${o.metadata.name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    deleted.push(o);
  }
  const deadline = Date.now() + opts.timeoutMs;
  for (const o of deleted) {
    while (await getObject(m.client, header(o), { signal: opts.signal })) {
      if (Date.now() > deadline) {
        throw new ResourceSetError(
          object,
          Reasons.failed,
          `failed to wait for Jobs termination: Job ${o.metadata.namespace}/${o.metadata.name} still exists after ${opts.timeoutMs} ms`,
        );
      }
      await sleep(200, undefined, { signal: opts.signal });
    }
  }
  return deleted.map((o) => `Job/${o.metadata.namespace}/${o.metadata.name}`);
}
