/**
 * The runtime and the apply engine together, the way Ferry's controllers use them: a controller for a
 * custom kind that applies what its spec asks for, records conditions and a Flux inventory in status,
 * prunes what left, and cleans up behind a finalizer on delete.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeConfig } from "../kube/config.ts";
import { type Inventory, inventoryFromChangeSet, staleObjects } from "../kube/inventory.ts";
import { ResourceManager } from "../kube/manager.ts";
import type { KubeObject } from "../kube/object.ts";
import { applyObject, deleteObject, getObject } from "../kube/rest.ts";
import { InformerCache } from "./cache.ts";
import { type Condition, isTrue, markReady, markReconciling } from "./conditions.ts";
import { Controller, generationOrRequestChanged } from "./controller.ts";
import { addFinalizer, removeFinalizer } from "./finalizers.ts";
import { cacheKey } from "./informer.ts";
import { applyStatus } from "./status.ts";

let cluster: TestCluster;
let client: KubeClient;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
});

after(async () => {
  client?.close();
  await cluster?.release();
});

/** Polls an async condition every 100 ms until it holds (the test's overall signal bounds it). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) {
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a controller applies its objects, reports Ready with an inventory, prunes on change and on delete", async () => {
  const group = `e${randomBytes(3).toString("hex")}.ferry.test`;
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `bundles.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "bundles", singular: "bundle", kind: "Bundle", listKind: "BundleList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
  const ns = await createTestNamespace(cluster, "e2e", signal);
  const admin = new ResourceManager({ client, fieldManager: "ferry-test" });
  await admin.apply([crd], { signal });
  const finalizer = `${group}/finalizer`;
  const cache = new InformerCache({ client });
  const bundles = cache.informerFor({ apiVersion: `${group}/v1`, kind: "Bundle", namespace: ns.name });
  const reconcile = async (key: string, sig: AbortSignal) => {
    let obj = bundles.get(key);
    if (!obj) return undefined;
    const [namespace, name] = key.split("/") as [string, string];
    const rm = new ResourceManager({
      client,
      fieldManager: "bundle-controller",
      ownerLabels: { [`${group}/name`]: name, [`${group}/namespace`]: namespace },
    });
    const status = (obj.status ?? {}) as { conditions?: Condition[]; inventory?: Inventory };
    if (obj.metadata.deletionTimestamp) {
      await rm.prune(staleObjects(status.inventory, { entries: [] }), { signal: sig });
      await removeFinalizer(client, obj, finalizer, { signal: sig });
      return undefined;
    }
    obj = await addFinalizer(client, obj, finalizer, { signal: sig });
    const gen = obj.metadata.generation;
    await applyStatus(
      client,
      obj,
      { conditions: markReconciling(status.conditions, gen, "Progressing", "applying") },
      {
        signal: sig,
        fieldManager: "bundle-controller",
      },
    );
    const names = ((obj.spec ?? {}) as { configMaps?: string[] }).configMaps ?? [];
    const desired = names.map((n) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: n, namespace },
      data: { from: name },
    }));
    const changes = await rm.apply(desired, { signal: sig });
    const inventory = inventoryFromChangeSet(changes);
    await rm.prune(staleObjects(status.inventory, inventory), { signal: sig });
    const conditions = markReady(
      status.conditions,
      gen,
      "ReconciliationSucceeded",
      `applied ${changes.length} objects`,
    );
    await applyStatus(
      client,
      obj,
      { conditions, inventory, observedGeneration: gen },
      { signal: sig, fieldManager: "bundle-controller" },
    );
    return undefined;
  };
  const ctl = new Controller({ name: "bundles", kind: "Bundle", reconcile, queue: { baseDelayMs: 50 } });
  ctl.watch(bundles, (o) => [cacheKey(o)], generationOrRequestChanged);
  const ac = new AbortController();
  const running = Promise.all([cache.start(ac.signal), ctl.start(ac.signal)]);
  const bundle = (configMaps: string[]): KubeObject => ({
    apiVersion: `${group}/v1`,
    kind: "Bundle",
    metadata: { name: "b", namespace: ns.name },
    spec: { configMaps },
  });
  const cmRef = (name: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns.name },
  });
  const readyFor = async (generation: number) => {
    const live = await getObject(client, bundle([]), { signal });
    const st = (live?.status ?? {}) as { conditions?: Condition[]; observedGeneration?: number };
    return st.observedGeneration === generation && isTrue(st.conditions, "Ready");
  };
  try {
    await cache.waitForSync(signal);
    const created = await applyObject(client, bundle(["one", "two"]), { signal, fieldManager: "user" });
    await eventually(() => readyFor(created.metadata.generation ?? 1));
    assert.ok(await getObject(client, cmRef("one"), { signal }));
    const live = await getObject(client, bundle([]), { signal });
    const inv = (live?.status as { inventory?: Inventory } | undefined)?.inventory;
    assert.deepEqual(inv?.entries, [
      { id: `${ns.name}_one__ConfigMap`, v: "v1" },
      { id: `${ns.name}_two__ConfigMap`, v: "v1" },
    ]);
    assert.deepEqual(live?.metadata.finalizers, [finalizer]);

    const updated = await applyObject(client, bundle(["two", "three"]), { signal, fieldManager: "user" });
    await eventually(() => readyFor(updated.metadata.generation ?? 2));
    assert.equal(
      await getObject(client, cmRef("one"), { signal }),
      undefined,
      "pruned when it left the spec",
    );
    assert.ok(await getObject(client, cmRef("three"), { signal }));

    await deleteObject(client, bundle([]), { signal });
    await eventually(async () => (await getObject(client, bundle([]), { signal })) === undefined);
    assert.equal(
      await getObject(client, cmRef("two"), { signal }),
      undefined,
      "finalizer pruned everything first",
    );
    assert.equal(await getObject(client, cmRef("three"), { signal }), undefined);
  } finally {
    ac.abort();
    await running;
    await ns.dispose();
    await deleteObject(client, crd, { signal });
  }
});
