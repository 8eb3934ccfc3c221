/** Prune against a real API server: ownership by field manager when there are no owner labels. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { inventoryFromObjects, staleObjects } from "./inventory.ts";
import { ResourceManager } from "./manager.ts";
import { createObject } from "./rest.ts";
import { actions, cm } from "./testing.ts";

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

test("without owner labels, prune only deletes what this field manager manages", async () => {
  const ns = await createTestNamespace(cluster, "fm", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    await m.apply([cm(ns.name, "mine", { k: "1" })], { signal });
    await createObject(client, cm(ns.name, "theirs", { k: "1" }), { signal, fieldManager: "someone" });
    const stale = staleObjects(
      inventoryFromObjects([cm(ns.name, "mine", {}), cm(ns.name, "theirs", {})]),
      inventoryFromObjects([]),
    );
    const res = await m.prune(stale, { signal });
    assert.deepEqual(actions(res), {
      [`ConfigMap/${ns.name}/mine`]: "pruned",
      [`ConfigMap/${ns.name}/theirs`]: "skipped",
    });
    assert.match(
      res.find((e) => e.key.name === "theirs")?.reason ?? "",
      /not managed by field manager ferry-test/,
    );
  } finally {
    await ns.dispose();
  }
});
