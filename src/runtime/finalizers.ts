/**
 * Finalizers: add or remove one finalizer with a merge patch that carries the object's resourceVersion, so
 * a concurrent change (someone else's finalizer) makes the patch fail with a conflict instead of being
 * overwritten; the reconcile then retries on fresh data.
 */
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import { mergePatchObject } from "../kube/rest.ts";

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

async function setFinalizers(
  client: KubeClient,
  obj: KubeObject,
  finalizers: string[],
  signal: AbortSignal,
): Promise<KubeObject> {
  return await mergePatchObject(
    client,
    obj,
    { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
    { signal },
  );
}

/** Adds the finalizer (no call when present); returns the updated object. */
export async function addFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  opts: { signal: AbortSignal },
): Promise<KubeObject> {
  if (hasFinalizer(obj, finalizer)) return obj;
  return await setFinalizers(client, obj, [...(obj.metadata.finalizers ?? []), finalizer], opts.signal);
}

/** Removes the finalizer (no call when absent); returns the updated object. */
export async function removeFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  opts: { signal: AbortSignal },
): Promise<KubeObject> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  return await setFinalizers(
    client,
    obj,
    (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer),
    opts.signal,
  );
}
