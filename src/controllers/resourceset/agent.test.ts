/** ResourceSets in a running agent (every controller on shared informers), against the real local cluster. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Agent, installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { apply, provider, readyOf, resourceSet, waitFor, waitForObject } from "./testing.ts";

let cluster: TestCluster;
let admin: KubeClient;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(admin, { signal });
});

after(async () => {
  admin?.close();
  await cluster?.release();
});

test("agent: a Static provider and a ResourceSet reconcile to objects; deleting the set prunes them", async () => {
  const ns = await createTestNamespace(cluster, "rset-agent", signal);
  const storeDir = await mkdtemp(join(tmpdir(), "ferry-rset-agent-"));
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir,
    concurrency: 2,
    installCRDs: false,
  });
  const ac = new AbortController();
  const running = agent.start(AbortSignal.any([ac.signal, signal])).catch((err: unknown) => err);
  let failed: unknown;
  try {
    await apply(admin, provider(ns.name, "apps", { type: "Static", defaultValues: { app: "web" } }), signal);
    const spec = {
      inputsFrom: [
        { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSetInputProvider", name: "apps" },
      ],
      resources: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "<< inputs.app >>", namespace: ns.name } },
      ],
    };
    await apply(admin, resourceSet(ns.name, "apps", spec), signal);
    const s = await waitFor(
      admin,
      "ResourceSet",
      ns.name,
      "apps",
      (x) => readyOf(x).status === "True" && (x.inventory?.entries.length ?? 0) > 0,
      signal,
    );
    assert.deepEqual(
      s.inventory?.entries.map((e) => e.id),
      [`${ns.name}_web__ConfigMap`],
    );
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: ns.name } },
        { signal },
      ),
    );

    await deleteObject(admin, resourceSet(ns.name, "apps", {}), { signal });
    await waitForObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", name: "web", namespace: ns.name },
      (o) => o === undefined,
      signal,
    );
    await deleteObject(admin, provider(ns.name, "apps", {}), { signal });
    await waitForObject(
      admin,
      {
        apiVersion: "fluxcd.controlplane.io/v1",
        kind: "ResourceSetInputProvider",
        name: "apps",
        namespace: ns.name,
      },
      (o) => o === undefined,
      signal,
    );
  } finally {
    ac.abort();
    failed = await running;
    await ns.dispose().catch(() => {});
    await rm(storeDir, { recursive: true, force: true });
  }
  assert.ok(!(failed instanceof Error), `agent failed: ${String(failed)}`);
});
