/** Test helpers for the ResourceSet and ResourceSetInputProvider tests: controllers scoped to a fresh namespace, waits. */
import { setTimeout as sleep } from "node:timers/promises";
import { deleteAllAndWait } from "../../agent/testing.ts";
import { createTestNamespace, type TestCluster } from "../../dev/testing.ts";
import {
  applyObject,
  getObject,
  KubeClient,
  type KubeObject,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { EventRecorder } from "../../runtime/index.ts";
import { resourceSetInputProviderController } from "../resourcesetinputprovider/index.ts";
import { type ResourceSetControllerOptions, resourceSetController } from "./controller.ts";
import { API_VERSION } from "./status.ts";

export interface Harness {
  namespace: string;
  kube: KubeClient;
  stop(): Promise<void>;
}

/** A namespace and both controllers reconciling only it; `stop` deletes the sets (pruning) and undoes the rest. */
export async function startControllers(
  cluster: TestCluster,
  prefix: string,
  signal: AbortSignal,
  extra: Partial<ResourceSetControllerOptions> = {},
): Promise<Harness> {
  const ns = await createTestNamespace(cluster, prefix, signal);
  const kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  const events = new EventRecorder({
    client: kube,
    reportingController: "flux-operator",
    reportingInstance: "test",
  });
  const fast = { retryMinDelayMs: 200, retryMaxDelayMs: 2000 };
  const rs = resourceSetController({
    kube,
    events,
    namespace: ns.name,
    requeueDependencyMs: 200,
    ...fast,
    ...extra,
  });
  const rsip = resourceSetInputProviderController({ kube, events, namespace: ns.name, ...fast });
  const ac = new AbortController();
  const run = AbortSignal.any([ac.signal, signal]);
  const runs = [...rs.runnables, ...rsip.runnables].map((r) => r.start(run).catch((err: unknown) => err));
  return {
    namespace: ns.name,
    kube,
    stop: async () => {
      for (const kind of ["ResourceSet", "ResourceSetInputProvider"]) {
        await deleteAllAndWait(kube, ns.name, API_VERSION, kind, signal, 30_000).catch(() => {});
      }
      ac.abort();
      const errors = (await Promise.all(runs)).filter((e) => e instanceof Error && !run.aborted);
      await ns.dispose().catch(() => {});
      kube.close();
      if (errors[0]) throw errors[0];
    },
  };
}

export function resourceSet(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: "ResourceSet",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

export function provider(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: "ResourceSetInputProvider",
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec,
  };
}

export async function apply(kube: KubeClient, obj: KubeObject, signal: AbortSignal): Promise<KubeObject> {
  return await applyObject(kube, obj, { signal, fieldManager: "ferry-test", force: true });
}

/** Sets `reconcile.fluxcd.io/requestedAt` (what `flux reconcile` does); returns the value. */
export async function requestReconcile(
  kube: KubeClient,
  kind: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const at = new Date().toISOString();
  await mergePatchObject(
    kube,
    { apiVersion: API_VERSION, kind, metadata: { name, namespace } },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } } },
    { signal },
  );
  return at;
}

export interface Status {
  conditions?: Array<{
    type: string;
    status: string;
    reason: string;
    message: string;
    observedGeneration?: number;
  }>;
  inventory?: { entries: Array<{ id: string; v: string }> };
  lastAppliedRevision?: string;
  lastHandledReconcileAt?: string;
  exportedInputs?: Array<Record<string, unknown>>;
  lastExportedRevision?: string;
}

/** Polls the object until `check` holds; returns its status. */
export async function waitFor(
  kube: KubeClient,
  kind: string,
  namespace: string,
  name: string,
  check: (s: Status, o: KubeObject) => boolean,
  signal: AbortSignal,
): Promise<Status> {
  let last: unknown;
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
  for (;;) {
    if (deadline.aborted)
      throw new Error(
        `gave up waiting for ${kind} ${namespace}/${name}; last status ${JSON.stringify(last)}`,
      );
    const o = await getObject(
      kube,
      { apiVersion: API_VERSION, kind, metadata: { name, namespace } },
      { signal },
    );
    last = o?.status;
    if (o && check((o.status ?? {}) as Status, o)) return o.status as Status;
    await sleep(100);
  }
}

/** Polls until `check` of the object (undefined when absent) holds. */
export async function waitForObject(
  kube: KubeClient,
  ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  check: (o: KubeObject | undefined) => boolean,
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
  for (;;) {
    const o = await getObject(
      kube,
      { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
      { signal },
    );
    if (check(o)) return o;
    if (deadline.aborted)
      throw new Error(
        `gave up waiting for ${ref.kind} ${ref.namespace ?? ""}/${ref.name}; last ${JSON.stringify(o?.metadata)}`,
      );
    await sleep(100);
  }
}

export function readyOf(s: Status): {
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
} {
  return s.conditions?.find((c) => c.type === "Ready") ?? {};
}

export function conditionOf(s: Status, type: string) {
  return s.conditions?.find((c) => c.type === type);
}
