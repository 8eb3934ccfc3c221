/**
 * Status writes through the `status` subresource with server-side apply: only the fields this controller
 * sends are owned by its field manager, spec is never touched (the subresource ignores it), and fields
 * other writers own stay as they are.
 */
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import { applyObject } from "../kube/rest.ts";

export interface StatusOptions {
  signal: AbortSignal;
  /** The controller's field manager for status (e.g. `kustomize-controller`). */
  fieldManager: string;
}

/** Applies `status` to the object's status subresource and returns the server's object. */
export async function applyStatus(
  client: KubeClient,
  obj: KubeObject,
  status: Record<string, unknown>,
  opts: StatusOptions,
): Promise<KubeObject> {
  return await applyObject(
    client,
    {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
      status,
    },
    { signal: opts.signal, fieldManager: opts.fieldManager, force: true, subresource: "status" },
  );
}

/**
 * The status write of a failed attempt: a write error goes to `onError` (to be logged) instead of being
 * thrown, since the attempt's own error is what gets reported; the result says whether the status landed.
 */
export async function writeFailureStatus(
  write: Promise<unknown>,
  onError: (err: unknown) => void,
): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    onError(err);
    return false;
  }
}

/**
 * What a reconciler returns after a failed attempt: nothing when the object is stalled and that status
 * landed (only a spec change helps); otherwise the error again, for a retry with backoff — also for a
 * stalled object whose status write failed (API server away), until its status lands.
 */
export function afterFailedAttempt(
  error: Error & { readonly stalled: boolean },
  statusWritten: boolean,
): undefined {
  if (error.stalled && statusWritten) return undefined;
  throw error;
}
