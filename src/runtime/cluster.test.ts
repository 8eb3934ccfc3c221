/** Runtime parts against a real API server: informer + controller, status, conditions, events, finalizers, metrics. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { apiRequest } from "../dev/api.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeConfig } from "../kube/config.ts";
import { isConflict } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";
import { applyObject, deleteObject, getObject, listObjects, mergePatchObject } from "../kube/rest.ts";
import { InformerCache } from "./cache.ts";
import { type Condition, getCondition, markReady, markReconciling } from "./conditions.ts";
import { Controller, pollUntil } from "./controller.ts";
import { EventRecorder } from "./events.ts";
import { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizers.ts";
import { Informer } from "./informer.ts";
import { RuntimeMetrics } from "./metrics.ts";
import { applyStatus } from "./status.ts";

let cluster: TestCluster;
let client: KubeClient;
const metrics = new RuntimeMetrics();
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }), {
    onRequest: metrics.observeRequest,
  });
});

after(async () => {
  client?.close();
  await cluster?.release();
});

const cm = (ns: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns },
  data,
});

test("informer lists, watches and feeds a controller; deletes reach the handler and leave the cache", async () => {
  const ns = await createTestNamespace(cluster, "informer", signal);
  const ac = new AbortController();
  try {
    await applyObject(client, cm(ns.name, "before", { k: "1" }), { signal, fieldManager: "t" });
    const cache = new InformerCache({ client });
    const informer = cache.informerFor({ apiVersion: "v1", kind: "ConfigMap", namespace: ns.name });
    assert.equal(
      cache.informerFor({ apiVersion: "v1", kind: "ConfigMap", namespace: ns.name }),
      informer,
      "one informer per kind",
    );
    const seen = new Map<string, number>();
    const ctl = new Controller({
      name: "configmaps",
      kind: "ConfigMap",
      concurrency: 2,
      metrics,
      reconcile: async (key) => {
        seen.set(key, (seen.get(key) ?? 0) + 1);
        return undefined;
      },
    });
    ctl.watch(informer);
    const running = Promise.all([cache.start(ac.signal), ctl.start(ac.signal)]);
    await cache.waitForSync(signal);
    assert.equal(cache.hasSynced(), true);
    assert.ok(informer.get(`${ns.name}/before`));
    await applyObject(client, cm(ns.name, "after", { k: "1" }), { signal, fieldManager: "t" });
    await pollUntil(() => seen.has(`${ns.name}/after`) && seen.has(`${ns.name}/before`), { signal });
    const n = seen.get(`${ns.name}/after`) ?? 0;
    await deleteObject(client, cm(ns.name, "after", {}), { signal });
    await pollUntil(() => (seen.get(`${ns.name}/after`) ?? 0) > n && !informer.get(`${ns.name}/after`), {
      signal,
    });
    assert.equal(informer.stats.lists, 1);
    ac.abort();
    await running;
    assert.ok(metrics.reconcileTotal.get({ kind: "ConfigMap", result: "success" }) >= 3);
    assert.match(
      metrics.registry.expose(),
      /ferry_api_request_duration_seconds_count\{code="200",verb="GET"\} \d+/,
    );
  } finally {
    ac.abort();
    await ns.dispose();
  }
});

test("status via the status subresource keeps spec and other writers' fields; conditions, events and finalizers", async () => {
  const id = randomBytes(3).toString("hex");
  const group = `r${id}.ferry.test`;
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gadgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
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
  const ns = await createTestNamespace(cluster, "status", signal);
  try {
    await applyObject(client, crd, { signal, fieldManager: "t" });
    const gadget: KubeObject = {
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      metadata: { name: "g", namespace: ns.name },
      spec: { size: 1 },
    };
    let live: KubeObject | undefined;
    for (let i = 0; i < 50 && !live; i++) {
      client.mapper.invalidate();
      live = await applyObject(client, gadget, { signal, fieldManager: "owner" }).catch(async () => {
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
    }
    assert.ok(live, "custom resource created once the CRD is served");
    await applyStatus(client, live, { other: "kept" }, { signal, fieldManager: "someone-else" });
    let conds: Condition[] = markReconciling(undefined, live.metadata.generation, "Progressing", "working");
    await applyStatus(
      client,
      live,
      { conditions: conds, observedGeneration: live.metadata.generation },
      { signal, fieldManager: "ctl" },
    );
    conds = markReady(conds, live.metadata.generation, "Succeeded", "done");
    const after1 = await applyStatus(
      client,
      live,
      { conditions: conds, observedGeneration: live.metadata.generation },
      { signal, fieldManager: "ctl" },
    );
    const st = after1.status as { other?: string; conditions: Condition[] };
    assert.equal(st.other, "kept", "another writer's status field survives");
    assert.equal(getCondition(st.conditions, "Ready")?.status, "True");
    assert.equal(getCondition(st.conditions, "Reconciling"), undefined);
    assert.deepEqual(after1.spec, { size: 1 }, "spec untouched");

    const withF = await addFinalizer(client, after1, "ferry.test/cleanup", { signal });
    assert.ok(hasFinalizer(withF, "ferry.test/cleanup"));
    await assert.rejects(addFinalizer(client, after1, "ferry.test/stale", { signal }), (err: unknown) =>
      isConflict(err),
    );
    const without = await removeFinalizer(client, withF, "ferry.test/cleanup", { signal });
    assert.equal(hasFinalizer(without, "ferry.test/cleanup"), false);

    const errors: unknown[] = [];
    const rec = new EventRecorder({
      client,
      reportingController: "ferry.test/controller",
      reportingInstance: "test-0",
      onError: (e) => errors.push(e),
    });
    await rec.event(without, "Normal", "ReconciliationSucceeded", "applied 3 objects", { signal });
    await rec.event(without, "Normal", "ReconciliationSucceeded", "applied 3 objects", { signal });
    await rec.event(without, "Warning", "HealthCheckFailed", "Deployment/x/y not ready", {
      signal,
      annotations: { "kustomize.toolkit.fluxcd.io/revision": "v1@sha256:abc" },
    });
    assert.deepEqual(errors, []);
    const events = await listObjects(client, "events.k8s.io/v1", "Event", { signal, namespace: ns.name });
    const mine = events.items.filter((e) => (e.regarding as { name?: string }).name === "g");
    assert.equal(mine.length, 2, "a repeated event becomes a series, not a new object");
    const ok = mine.find((e) => e.reason === "ReconciliationSucceeded");
    assert.equal((ok?.series as { count?: number } | undefined)?.count, 2);
    assert.equal(mine.find((e) => e.type === "Warning")?.note, "Deployment/x/y not ready");
    const core = await listObjects(client, "v1", "Event", { signal, namespace: ns.name });
    const warning = core.items.find((e) => e.reason === "HealthCheckFailed");
    assert.equal(warning?.message, "Deployment/x/y not ready", "visible as a core/v1 Event");
    assert.equal((warning?.involvedObject as { name?: string } | undefined)?.name, "g");
    assert.equal(warning?.metadata.annotations?.["kustomize.toolkit.fluxcd.io/revision"], "v1@sha256:abc");
    await mergePatchObject(client, without, { spec: { size: 2 } }, { signal });
    const final = await getObject(client, gadget, { signal });
    assert.equal((final?.status as { other?: string } | undefined)?.other, "kept");
  } finally {
    await ns.dispose();
    await deleteObject(client, crd, { signal });
  }
});

/** A namespaced custom resource kind in a group of its own, so its watch cache starts when this test makes it. */
function gadgetCrd(group: string): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gadgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
}

test("a watch resumed from a resourceVersion the server no longer has (410 Gone) re-lists", async () => {
  // Why a new custom resource kind: the API server serves watches from a per-resource watch cache whose
  // window starts at the etcd revision it was filled at. A built-in kind's cache is filled when the API
  // server starts, at revision 1 or so, and keeps every event until it is full: on a young cluster a
  // watch from resourceVersion 1 is still served, never 410. A new kind's cache is filled now, at the
  // cluster's current revision (hundreds: the API server's own bootstrap writes that many objects), so a
  // watch from 1 is always before its window: 410 Gone, whatever the cluster's age or load.
  const group = `gone${randomBytes(3).toString("hex")}.ferry.test`;
  const crd = gadgetCrd(group);
  const gadget = (ns: string, name: string): KubeObject => ({
    apiVersion: `${group}/v1`,
    kind: "Gadget",
    metadata: { name, namespace: ns },
    spec: { size: 1 },
  });
  const ns = await createTestNamespace(cluster, "gone", signal);
  const ac = new AbortController();
  try {
    await applyObject(client, crd, { signal, fieldManager: "t" });
    for (let served = false; !served; ) {
      client.mapper.invalidate();
      served = await applyObject(client, gadget(ns.name, "first"), { signal, fieldManager: "t" }).then(
        () => true,
        () => sleep(200, false, { signal }),
      );
    }
    // The server's side of the bargain, checked first so a change in it fails here, not by a hang below.
    const raw = await apiRequest(
      cluster.conn,
      "GET",
      `/apis/${group}/v1/namespaces/${ns.name}/gadgets?watch=true&resourceVersion=1&timeoutSeconds=5`,
      { signal },
    );
    assert.ok(
      raw.status === 410 || /"code":410/.test(raw.body),
      `a watch from resourceVersion 1 of a new kind answers 410 Gone (HTTP ${raw.status}: ${raw.body.slice(0, 300)})`,
    );

    const informer = new Informer({
      client,
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      namespace: ns.name,
      watchTimeoutSeconds: 1,
    });
    const running = informer.start(ac.signal);
    await informer.waitForSync(signal);
    assert.ok(informer.get(`${ns.name}/first`));
    await pollUntil(() => informer.stats.watches >= 2, { signal }); // clean server timeouts resume
    assert.equal(informer.stats.lists, 1);
    // Pretend the informer was away long enough for its resume point to fall out of the server's window.
    // The watch open now may still deliver a bookmark, which would move the resume point back into the
    // window; so until the informer re-lists, its resume point stays "1" whatever the open watch reports.
    const listsBefore = informer.stats.lists;
    let resumeFrom = "1";
    Object.defineProperty(informer, "resourceVersion", {
      configurable: true,
      get: () => resumeFrom,
      set: (v: string) => {
        if (informer.stats.lists > listsBefore) resumeFrom = v;
      },
    });
    await pollUntil(() => informer.stats.lists > listsBefore, { signal });
    await applyObject(client, gadget(ns.name, "later"), { signal, fieldManager: "t" });
    await pollUntil(() => informer.get(`${ns.name}/later`) !== undefined, { signal });
    assert.equal(informer.stats.errors, 0, "410 is not an error: it re-lists at once");
    assert.notEqual(informer.lastResourceVersion(), "1", "the re-list moved the resume point");
    ac.abort();
    await running;
  } finally {
    ac.abort();
    await ns.dispose();
    await deleteObject(client, crd, { signal });
  }
});
