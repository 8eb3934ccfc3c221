/** Test helpers for the FluxInstance tests: an agent scoped to a fresh namespace, objects, waits. */
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentOptions } from "../../agent/index.ts";
import { startTestAgent, type TestAgent } from "../../agent/testing.ts";
import type { TestCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { findKustomize } from "../../render/index.ts";

export type AgentHarness = TestAgent;

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
  return await startTestAgent(cluster, prefix, signal, {
    finalized: [
      [FI, "FluxInstance"],
      [KS, "Kustomization"],
      [OCI, "OCIRepository"],
    ],
    agent: { installCRDs: false, kustomize: findKustomize({ kustomize: toolPath("kustomize") }), ...extra },
    deleteTimeoutMs: 60_000,
  });
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
