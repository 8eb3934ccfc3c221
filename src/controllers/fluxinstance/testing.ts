/** Test helpers for the FluxInstance tests: an agent scoped to a fresh namespace, objects, waits. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, type AgentOptions } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import { deleteObject, getObject, type KubeClient, type KubeObject, listObjects } from "../../kube/index.ts";
import { findKustomize } from "../../render/index.ts";

export interface AgentHarness {
  namespace: string;
  agent: Agent;
  stop(): Promise<void>;
}

export const FI = "fluxcd.controlplane.io/v1";
export const KS = "kustomize.toolkit.fluxcd.io/v1";
export const OCI = "source.toolkit.fluxcd.io/v1";

/** A namespace and an agent reconciling only it (its own store, the cached kustomize); `stop` undoes both. */
export async function startAgent(
  cluster: TestCluster,
  prefix: string,
  signal: AbortSignal,
  extra: Partial<AgentOptions> = {},
): Promise<AgentHarness> {
  const ns = await createTestNamespace(cluster, prefix, signal);
  const storeDir = await mkdtemp(join(tmpdir(), "ferry-fi-store-"));
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir,
    concurrency: 2,
    installCRDs: false,
    kustomize: findKustomize({ kustomize: toolPath("kustomize") }),
    ...extra,
  });
  const ac = new AbortController();
  const running = agent.start(AbortSignal.any([ac.signal, signal])).catch((err: unknown) => err);
  return {
    namespace: ns.name,
    agent,
    stop: async () => {
      // Let the running agent release its finalizers, so the namespace can go away after it stops.
      for (const [api, kind] of [
        [FI, "FluxInstance"],
        [KS, "Kustomization"],
        [OCI, "OCIRepository"],
      ] as const) {
        await deleteAll(agent.kube, ns.name, api, kind, signal).catch(() => {});
      }
      ac.abort();
      const err = await running;
      await ns.dispose().catch(() => {});
      await rm(storeDir, { recursive: true, force: true });
      if (err instanceof Error) throw err;
    },
  };
}

async function deleteAll(
  kube: KubeClient,
  namespace: string,
  apiVersion: string,
  kind: string,
  signal: AbortSignal,
): Promise<void> {
  const list = await listObjects(kube, apiVersion, kind, { signal, namespace });
  for (const o of list.items) await deleteObject(kube, o, { signal });
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
  while (!deadline.aborted) {
    const left = await listObjects(kube, apiVersion, kind, { signal, namespace });
    if (left.items.length === 0) return;
    await sleep(100);
  }
}

export function fluxInstance(
  namespace: string,
  spec: Record<string, unknown>,
  opts: { name?: string; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: FI,
    kind: "FluxInstance",
    metadata: {
      name: opts.name ?? "flux",
      namespace,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: { distribution: { version: "2.x", registry: "ghcr.io/fluxcd" }, ...spec },
  };
}

export interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export const condOf = (o: KubeObject | undefined, type: string): Cond | undefined =>
  ((o?.status ?? {}) as { conditions?: Cond[] }).conditions?.find((c) => c.type === type);

/** Polls until `check` of the object (undefined when absent) holds; returns it. */
export async function waitForObject(
  kube: KubeClient,
  ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  check: (o: KubeObject | undefined) => boolean,
  signal: AbortSignal,
  timeoutMs = 180_000,
): Promise<KubeObject | undefined> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  for (;;) {
    const o = await getObject(
      kube,
      { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
      { signal },
    );
    if (check(o)) return o;
    if (deadline.aborted) {
      throw new Error(
        `gave up waiting for ${ref.kind} ${ref.namespace ?? ""}/${ref.name}; last ${JSON.stringify({ metadata: o?.metadata, spec: o?.spec, status: o?.status })}`,
      );
    }
    await sleep(200);
  }
}
