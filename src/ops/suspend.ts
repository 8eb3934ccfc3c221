/**
 * Suspending and resuming reconciliation: `spec.suspend` for Flux toolkit kinds, the
 * `fluxcd.controlplane.io/reconcile` annotation (`disabled` / `enabled`) for flux-operator kinds, as
 * flux-operator's CLI does. Resuming also requests a reconcile, so the caller can wait for it.
 */
import { type KubeClient, mergePatchObject } from "../kube/index.ts";
import { getOpsObject } from "./access.ts";
import { OPERATOR_RECONCILE, type OpsKind } from "./kinds.ts";
import { requestReconcile } from "./reconcile.ts";

/** Suspends the object (it must exist). */
export async function suspendObject(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: { signal: AbortSignal },
): Promise<void> {
  await getOpsObject(client, k, namespace, name, opts);
  const patch =
    k.suspendVia === "spec"
      ? { spec: { suspend: true } }
      : { metadata: { annotations: { [OPERATOR_RECONCILE]: "disabled" } } };
  await mergePatchObject(
    client,
    { apiVersion: k.apiVersion, kind: k.kind, metadata: { name, namespace } },
    patch,
    { signal: opts.signal, fieldManager: "ferry" },
  );
}

/** Resumes the object and requests a reconcile; returns the requestedAt value to wait for. */
export async function resumeObject(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: { signal: AbortSignal },
): Promise<string> {
  await getOpsObject(client, k, namespace, name, opts);
  return await requestReconcile(client, k, namespace, name, {
    signal: opts.signal,
    patch:
      k.suspendVia === "spec"
        ? { spec: { suspend: false } }
        : { annotations: { [OPERATOR_RECONCILE]: "enabled" } },
  });
}
