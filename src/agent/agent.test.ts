/**
 * The whole agent on the real cluster and registry: an OCIRepository and the Kustomization that applies its
 * artifact, reconciled in one process from the shared store; a tag move reaches the cluster.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  apply,
  ociRepository,
  pushFiles,
  readyOf,
  requestReconcile,
  waitForStatus,
} from "../controllers/ocirepository/testing.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { toolPath } from "../dev/tools.ts";
import {
  deleteObject,
  getObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
} from "../kube/index.ts";
import { OciClient } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { findKustomize } from "../render/index.ts";
import { Agent } from "./agent.ts";
import { installCRDs } from "./install.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
});

const configMap = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: "${value}"\n`;

async function waitFor<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    if (signal.aborted) throw new Error(`gave up waiting for ${what}`);
    const v = await get();
    if (v !== undefined) return v;
    await sleep(100);
  }
}

test("one agent: an OCIRepository's artifact is applied by a Kustomization; a tag move reaches the cluster", async () => {
  const ns = await createTestNamespace(cluster, "agent-e2e", signal);
  const store = await mkdtemp(join(tmpdir(), "ferry-agent-e2e-"));
  const ac = new AbortController();
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir: store,
    kustomize: findKustomize({ kustomize: toolPath("kustomize") }),
  });
  const running = agent.start(AbortSignal.any([ac.signal, signal]));
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-e2e")}`;
    await pushFiles(new OciClient(), `${repo}:latest`, { "deploy/settings.yaml": configMap("one") }, signal);
    await apply(kube, ociRepository(ns.name, "app", { url: `oci://${repo}` }), signal);
    const ks: KubeObject = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "app", namespace: ns.name },
      spec: {
        interval: "10m",
        sourceRef: { kind: "OCIRepository", name: "app" },
        path: "./deploy",
        prune: true,
        targetNamespace: ns.name,
      },
    };
    await apply(kube, ks, signal);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: ns.name } };
    const value = async () =>
      ((await getObject(kube, cm, { signal }))?.data as { value?: string } | undefined)?.value;
    assert.equal(
      await waitFor("settings=one", async () => ((await value()) === "one" ? "one" : undefined)),
      "one",
    );

    await pushFiles(new OciClient(), `${repo}:latest`, { "deploy/settings.yaml": configMap("two") }, signal);
    await requestReconcile(kube, ns.name, "app", signal);
    await waitForStatus(kube, ns.name, "app", (s) => readyOf(s).status === "True", signal);
    // The new revision re-enqueues the Kustomization in-process: no request on it, no interval wait.
    assert.equal(
      await waitFor("settings=two", async () => ((await value()) === "two" ? "two" : undefined)),
      "two",
    );

    // Deleting the Kustomization prunes what it applied; deleting the source frees the store.
    await deleteObject(kube, ks, { signal });
    await waitFor("ConfigMap pruned", async () =>
      (await getObject(kube, cm, { signal })) ? undefined : true,
    );
    await deleteObject(kube, ociRepository(ns.name, "app", {}), { signal });
    await waitFor("OCIRepository gone", async () =>
      (
        await listObjects(kube, "source.toolkit.fluxcd.io/v1", "OCIRepository", {
          signal,
          namespace: ns.name,
        })
      ).items.length === 0
        ? true
        : undefined,
    );
    assert.deepEqual(await agent.store.keys(), []);
  } finally {
    ac.abort();
    await running.catch(() => {});
    await ns.dispose();
    await rm(store, { recursive: true, force: true });
  }
});
