/** Test helpers for the Kustomization tests: an agent scoped to a fresh namespace, objects, waits. */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentOptions } from "../../agent/index.ts";
import { startTestAgent, type TestAgent } from "../../agent/testing.ts";
import type { TestCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import { getObject, type KubeClient, type KubeObject, mergePatchObject } from "../../kube/index.ts";
import { findKustomize } from "../../render/index.ts";
import type { KustomizationStatus } from "./status.ts";

export type AgentHarness = TestAgent;

const KS = "kustomize.toolkit.fluxcd.io/v1";
const OCI = "source.toolkit.fluxcd.io/v1";

/** A namespace and an agent reconciling only it (its own store, the cached kustomize); `stop` undoes both. */
export async function startAgent(
  cluster: TestCluster,
  prefix: string,
  signal: AbortSignal,
  extra: Partial<AgentOptions> = {},
): Promise<AgentHarness> {
  return await startTestAgent(cluster, prefix, signal, {
    finalized: [
      [KS, "Kustomization"],
      [OCI, "OCIRepository"],
    ],
    agent: { installCRDs: false, kustomize: findKustomize({ kustomize: toolPath("kustomize") }), ...extra },
    deleteTimeoutMs: 30_000,
  });
}

/** Every file under `dir` as `{ prefix/relative/path: text }`. */
export async function readTree(dir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out[join(prefix, relative(dir, full))] = await readFile(full, "utf8");
  }
  return out;
}

export function kustomization(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: KS,
    kind: "Kustomization",
    metadata: { name, namespace },
    spec: { interval: "10m", prune: true, sourceRef: { kind: "OCIRepository", name: "src" }, ...spec },
  };
}

/** Sets `reconcile.fluxcd.io/requestedAt` on any kind (what `flux reconcile` does); returns the value. */
export async function requestReconcile(
  kube: KubeClient,
  obj: { apiVersion: string; kind: string; namespace: string; name: string },
  signal: AbortSignal,
): Promise<string> {
  const at = `${new Date().toISOString()}-${Math.random().toString(16).slice(2, 6)}`;
  await mergePatchObject(
    kube,
    { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.name, namespace: obj.namespace } },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } } },
    { signal },
  );
  return at;
}

export const reconcileKs = (kube: KubeClient, namespace: string, name: string, signal: AbortSignal) =>
  requestReconcile(kube, { apiVersion: KS, kind: "Kustomization", namespace, name }, signal);

export const reconcileSource = (kube: KubeClient, namespace: string, name: string, signal: AbortSignal) =>
  requestReconcile(kube, { apiVersion: OCI, kind: "OCIRepository", namespace, name }, signal);

/** Polls the Kustomization until `check` holds for its status; returns that status. */
export async function waitForKs(
  kube: KubeClient,
  namespace: string,
  name: string,
  check: (s: KustomizationStatus, o: KubeObject) => boolean,
  signal: AbortSignal,
  timeoutMs = 90_000,
): Promise<KustomizationStatus> {
  const until = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let last: unknown;
  for (;;) {
    if (until.aborted)
      throw new Error(
        `gave up waiting for Kustomization ${namespace}/${name}; last status ${JSON.stringify(last)}`,
      );
    const o = await getObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", metadata: { name, namespace } },
      { signal },
    );
    last = o?.status;
    if (o && check((o.status ?? {}) as KustomizationStatus, o)) return o.status as KustomizationStatus;
    await sleep(150);
  }
}

export function cond(
  s: KustomizationStatus,
  type = "Ready",
): { status?: string; reason?: string; message?: string } {
  return s.conditions?.find((c) => c.type === type) ?? {};
}

/** Polls until `check(live object or undefined)` holds. */
export async function waitForObject(
  kube: KubeClient,
  header: { apiVersion: string; kind: string; namespace: string; name: string },
  check: (o: KubeObject | undefined) => boolean,
  signal: AbortSignal,
  timeoutMs = 60_000,
): Promise<KubeObject | undefined> {
  const until = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  for (;;) {
    const o = await getObject(
      kube,
      {
        apiVersion: header.apiVersion,
        kind: header.kind,
        metadata: { name: header.name, namespace: header.namespace },
      },
      { signal },
    );
    if (check(o)) return o;
    if (until.aborted)
      throw new Error(`gave up waiting for ${header.kind}/${header.namespace}/${header.name}`);
    await sleep(150);
  }
}
