/** Diff against a real API server: per-object actions, changed paths and before/after without changing anything. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { inventoryFromChangeSet, inventoryFromObjects, staleObjects } from "./inventory.ts";
import { ResourceManager } from "./manager.ts";
import { getObject } from "./rest.ts";
import { cm, owner } from "./testing.ts";

let cluster: TestCluster;
let client: KubeClient;
const requests: RequestInfo[] = [];
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }), {
    onRequest: (r) => requests.push(r),
  });
});

after(async () => {
  client?.close();
  await cluster?.release();
});

test("diff reports per object what an apply and a prune would do, without changing anything", async () => {
  const ns = await createTestNamespace(cluster, "diff", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test", ownerLabels: owner("d", ns.name) });
  try {
    const cs = await m.apply(
      [cm(ns.name, "a", { k: "1" }), cm(ns.name, "b", { k: "1" }), cm(ns.name, "gone", { k: "1" })],
      { signal },
    );
    const next = [cm(ns.name, "a", { k: "2" }), cm(ns.name, "b", { k: "1" }), cm(ns.name, "new", { k: "1" })];
    const stale = staleObjects(inventoryFromChangeSet(cs), inventoryFromObjects(next));
    const d = await m.diff(next, { signal, stale });
    assert.deepEqual(
      d.map((e) => [e.key.name, e.action, e.paths]),
      [
        ["a", "configured", [".data.k"]],
        ["b", "unchanged", undefined],
        ["new", "created", undefined],
        ["gone", "pruned", undefined],
      ],
    );
    const a = d.find((e) => e.key.name === "a");
    assert.deepEqual([a?.before?.data, a?.after?.data], [{ k: "1" }, { k: "2" }]);
    assert.deepEqual((await getObject(client, cm(ns.name, "a", {}), { signal }))?.data, { k: "1" });
    assert.ok(await getObject(client, cm(ns.name, "gone", {}), { signal }));
    assert.equal(await getObject(client, cm(ns.name, "new", {}), { signal }), undefined);
  } finally {
    await ns.dispose();
  }
});
