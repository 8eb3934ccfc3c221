/** Reading the operator kinds: one object or a list, with the kind-not-installed and not-found errors. */
import { getObject, type KubeClient, type KubeObject, listObjects, UnknownKindError } from "../kube/index.ts";
import { KindNotInstalledError, ObjectNotFoundError } from "./errors.ts";
import type { OpsKind } from "./kinds.ts";

function wrap(k: OpsKind, err: unknown): unknown {
  return err instanceof UnknownKindError ? new KindNotInstalledError(k.kind, k.apiVersion, err) : err;
}

/** The object, or an ObjectNotFoundError naming kind, namespace and name. */
export async function getOpsObject(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: { signal: AbortSignal },
): Promise<KubeObject> {
  let o: KubeObject | undefined;
  try {
    o = await getObject(
      client,
      { apiVersion: k.apiVersion, kind: k.kind, metadata: { name, namespace } },
      { signal: opts.signal },
    );
  } catch (err) {
    throw wrap(k, err);
  }
  if (!o) throw new ObjectNotFoundError(k.kind, namespace, name, k.command);
  return { ...o, apiVersion: k.apiVersion, kind: k.kind };
}

/** Objects of the kind in `namespace` (every namespace when undefined), sorted by namespace and name. */
export async function listOpsObjects(
  client: KubeClient,
  k: OpsKind,
  opts: { signal: AbortSignal; namespace?: string; name?: string },
): Promise<KubeObject[]> {
  try {
    const r = await listObjects(client, k.apiVersion, k.kind, {
      signal: opts.signal,
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(opts.name !== undefined ? { fieldSelector: `metadata.name=${opts.name}` } : {}),
    });
    const key = (o: KubeObject) => `${o.metadata.namespace ?? ""}\u0000${o.metadata.name ?? ""}`;
    return r.items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  } catch (err) {
    throw wrap(k, err);
  }
}
