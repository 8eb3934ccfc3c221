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
