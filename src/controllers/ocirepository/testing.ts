/** Test helpers for the OCIRepository tests: an agent scoped to a fresh namespace, artifacts, waits. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ociRepositorySetup } from "../../agent/index.ts";
import { startTestAgent, type TestAgent } from "../../agent/testing.ts";
import type { TestCluster } from "../../dev/testing.ts";
import {
  applyObject,
  getObject,
  type KubeClient,
  type KubeObject,
  mergePatchObject,
} from "../../kube/index.ts";
import { type OciClient, parseReference } from "../../oci/index.ts";
import { pushArtifact } from "../../publish/index.ts";
import type { OCIRepositoryStatus } from "./status.ts";

export type AgentHarness = TestAgent;

/** A namespace and an agent reconciling only it (its own store); `stop` undoes both. */
export async function startAgent(
  cluster: TestCluster,
  prefix: string,
  signal: AbortSignal,
): Promise<AgentHarness> {
  // Only the OCIRepository controller: these tests are about it, and fewer watches spare the shared cluster.
  return await startTestAgent(cluster, prefix, signal, {
    finalized: [["source.toolkit.fluxcd.io/v1", "OCIRepository"]],
    agent: { controllers: [ociRepositorySetup] },
    deleteTimeoutMs: 30_000,
  });
}

/** Pushes a Flux artifact with the given files to `host/repo:tag`; returns its manifest digest. */
export async function pushFiles(
  client: OciClient,
  ref: string,
  files: Record<string, string>,
  signal: AbortSignal,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-oci-src-"));
  try {
    for (const [name, body] of Object.entries(files)) {
      await mkdir(join(dir, name, ".."), { recursive: true });
      await writeFile(join(dir, name), body);
    }
    const res = await pushArtifact(client, parseReference(ref), {
      path: dir,
      source: "https://github.com/example/fleet",
      revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
      sourceIgnore: false,
      ignorePaths: [],
      signal,
    });
    return res.digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ociRepository(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name, namespace },
    spec: { interval: "10m", ...spec },
  };
}

export async function apply(kube: KubeClient, obj: KubeObject, signal: AbortSignal): Promise<KubeObject> {
  return await applyObject(kube, obj, { signal, fieldManager: "ferry-test", force: true });
}

/** Sets `reconcile.fluxcd.io/requestedAt` (what `flux reconcile` does); returns the value. */
export async function requestReconcile(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const at = new Date().toISOString();
  await mergePatchObject(
    kube,
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", metadata: { name, namespace } },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } } },
    { signal },
  );
  return at;
}

/** Polls the object until `check` holds for its status; returns that status. */
export async function waitForStatus(
  kube: KubeClient,
  namespace: string,
  name: string,
  check: (s: OCIRepositoryStatus, o: KubeObject) => boolean,
  signal: AbortSignal,
): Promise<OCIRepositoryStatus> {
  let last: unknown;
  for (;;) {
    if (signal.aborted)
      throw new Error(
        `gave up waiting for OCIRepository ${namespace}/${name}; last status ${JSON.stringify(last)}`,
      );
    const o = await getObject(
      kube,
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", metadata: { name, namespace } },
      { signal },
    );
    last = o?.status;
    if (o && check((o.status ?? {}) as OCIRepositoryStatus, o)) return o.status as OCIRepositoryStatus;
    await sleep(100);
  }
}

export function readyOf(s: OCIRepositoryStatus): { status?: string; reason?: string; message?: string } {
  return s.conditions?.find((c) => c.type === "Ready") ?? {};
}

export function conditionOf(s: OCIRepositoryStatus, type: string) {
  return s.conditions?.find((c) => c.type === type);
}
