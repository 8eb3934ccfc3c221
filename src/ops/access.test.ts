/** Reading ops kinds on a real API server: a kind the cluster does not serve, and a missing object. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient, loadKubeConfig } from "../kube/index.ts";
import { getOpsObject, listOpsObjects } from "./access.ts";
import { KindNotInstalledError, ObjectNotFoundError } from "./errors.ts";
import { KUSTOMIZATION } from "./kinds.ts";

const signal = AbortSignal.timeout(300_000);
let cluster: TestCluster;
let client: KubeClient;

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(client, { signal });
});

after(async () => {
  client?.close();
  await cluster?.release();
});

test("a kind without a CRD is KindNotInstalledError with the ferry agent hint", async () => {
  const absent = { ...KUSTOMIZATION, kind: "Kustomization", apiVersion: "absent.ferry.test/v1" };
  for (const call of [
    () => listOpsObjects(client, absent, { signal, namespace: "default" }),
    () => getOpsObject(client, absent, "default", "x", { signal }),
  ]) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof KindNotInstalledError);
      assert.match(err.message, /does not serve Kustomization \(absent\.ferry\.test\/v1\).*ferry agent/);
      return true;
    });
  }
});

test("a missing object is ObjectNotFoundError naming kind, namespace and name", async () => {
  const ns = await createTestNamespace(cluster, "ops-access", signal);
  try {
    await assert.rejects(getOpsObject(client, KUSTOMIZATION, ns.name, "nope", { signal }), (err: unknown) => {
      assert.ok(err instanceof ObjectNotFoundError);
      assert.deepEqual([err.kind, err.namespace, err.objectName], ["Kustomization", ns.name, "nope"]);
      return true;
    });
    assert.deepEqual(await listOpsObjects(client, KUSTOMIZATION, { signal, namespace: ns.name }), []);
  } finally {
    await ns.dispose();
  }
});
