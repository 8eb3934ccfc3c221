/** The apply engine against a real API server (the shared test cluster, or a private one when run alone): apply, re-apply, dry-run, immutable fields, annotations, cleanup. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { formatChanges } from "./changeset.ts";
import { fluxCleanupDefaults } from "./cleanup.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { ImmutableFieldError, ValidationError } from "./errors.ts";
import { inventoryFromChangeSet, inventoryFromObjects, staleObjects } from "./inventory.ts";
import { ResourceManager } from "./manager.ts";
import type { KubeObject } from "./object.ts";
import { createObject, deleteObject, getObject, mergePatchObject } from "./rest.ts";
import { actions, cm, deployment, owner } from "./testing.ts";

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

test("apply, re-apply unchanged without writes, change one, prune what left, respect opt-outs and other owners", async () => {
  const ns = await createTestNamespace(cluster, "apply", signal);
  const roleName = `ferry-apply-${randomBytes(3).toString("hex")}`;
  const m = new ResourceManager({ client, fieldManager: "ferry-test", ownerLabels: owner("apps", ns.name) });
  try {
    const role: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: roleName },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    };
    const svc: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: ns.name },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const set = [
      cm(ns.name, "a", { k: "1" }),
      cm(ns.name, "b", { k: "1" }),
      cm(ns.name, "keep", { k: "1" }, { "kustomize.toolkit.fluxcd.io/prune": "disabled" }),
      cm(ns.name, "taken", { k: "1" }),
      svc,
      deployment(ns.name, "web"),
      role,
    ];
    const first = await m.apply(set, { signal });
    assert.equal(first.length, 7);
    assert.ok(
      first.every((e) => e.action === "created"),
      formatChanges(first),
    );
    const live = await getObject(client, set[0] as KubeObject, { signal });
    assert.equal(live?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "apps", "owner labels are set");
    assert.ok(
      live?.metadata.managedFields?.some((f) => f.manager === "ferry-test"),
      "the caller's field manager owns the fields",
    );

    const mark = requests.length;
    const second = await m.apply(set, { signal });
    assert.ok(
      second.every((e) => e.action === "unchanged"),
      formatChanges(second),
    );
    const writes = requests.slice(mark).filter((r) => r.method !== "GET" && r.query.dryRun !== "All");
    assert.deepEqual(writes, [], "an unchanged re-apply makes no write");

    const changed = set.map((o) => (o.metadata.name === "a" ? cm(ns.name, "a", { k: "2" }) : o));
    const third = await m.apply(changed, { signal });
    assert.equal(actions(third)[`ConfigMap/${ns.name}/a`], "configured");
    assert.equal(third.filter((e) => e.action !== "unchanged").length, 1);

    // Another owner takes over "taken"; then b, keep and taken leave the set.
    await mergePatchObject(
      client,
      set[3] as KubeObject,
      { metadata: { labels: owner("other", ns.name) } },
      { signal },
    );
    const next = changed.filter((o) => !["b", "keep", "taken"].includes(o.metadata.name ?? ""));
    const applied = await m.apply(next, { signal });
    const stale = staleObjects(inventoryFromChangeSet(third), inventoryFromChangeSet(applied));
    assert.deepEqual(stale.map((s) => s.name).sort(), ["b", "keep", "taken"]);
    const pruned = await m.prune(stale, { signal });
    assert.deepEqual(actions(pruned), {
      [`ConfigMap/${ns.name}/b`]: "pruned",
      [`ConfigMap/${ns.name}/keep`]: "skipped",
      [`ConfigMap/${ns.name}/taken`]: "skipped",
    });
    assert.match(pruned.find((e) => e.key.name === "taken")?.reason ?? "", /another owner/);
    assert.equal(await getObject(client, set[1] as KubeObject, { signal }), undefined);
    assert.ok(await getObject(client, set[2] as KubeObject, { signal }), "prune: disabled keeps the object");
    assert.ok(
      await getObject(client, set[3] as KubeObject, { signal }),
      "an object another owner took over is kept",
    );
    const again = await m.prune(
      stale.filter((s) => s.name === "b"),
      { signal },
    );
    assert.equal(again[0]?.action, "skipped");
  } finally {
    await deleteObject(
      client,
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: roleName } },
      { signal },
    );
    await ns.dispose();
  }
});

test("ssa annotations: IfNotPresent creates once and then leaves the object alone, Ignore never applies", async () => {
  const ns = await createTestNamespace(cluster, "ssa", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    const ifp = { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" };
    const ign = { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" };
    const first = await m.apply(
      [cm(ns.name, "once", { k: "1" }, ifp), cm(ns.name, "never", { k: "1" }, ign)],
      { signal },
    );
    assert.deepEqual(actions(first), {
      [`ConfigMap/${ns.name}/never`]: "skipped",
      [`ConfigMap/${ns.name}/once`]: "created",
    });
    const second = await m.apply([cm(ns.name, "once", { k: "2" }, ifp)], { signal });
    assert.equal(second[0]?.action, "skipped");
    const live = await getObject(client, cm(ns.name, "once", {}), { signal });
    assert.deepEqual(live?.data, { k: "1" });
    assert.equal(await getObject(client, cm(ns.name, "never", {}), { signal }), undefined);
  } finally {
    await ns.dispose();
  }
});

test("one invalid object fails the dry-run and nothing is applied; the error names the object and the API's message", async () => {
  const ns = await createTestNamespace(cluster, "dryrun", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    const bad = deployment(ns.name, "bad");
    (bad.spec as { replicas: unknown }).replicas = -3;
    await assert.rejects(m.apply([cm(ns.name, "good", { k: "1" }), bad], { signal }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, new RegExp(`Deployment/${ns.name}/bad dry-run failed: .*replicas`));
      return true;
    });
    assert.equal(await getObject(client, cm(ns.name, "good", {}), { signal }), undefined, "nothing changed");
    await assert.rejects(
      m.apply([cm(ns.name, "twice", {}), cm(ns.name, "twice", { k: "2" })], { signal }),
      /ConfigMap\/.*\/twice dry-run failed: the object appears more than once/,
    );
    const noNs: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "floating" },
      data: {},
    };
    const nsOnClusterKind: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "x", namespace: ns.name },
    };
    await assert.rejects(
      m.apply([cm(ns.name, "good", {}), noNs, nsOnClusterKind], { signal }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(
          err.failures.map((f) => f.message),
          [
            `Namespace is cluster-scoped: remove metadata.namespace (${ns.name})`,
            "ConfigMap is namespaced: set metadata.namespace",
          ],
        );
        return true;
      },
    );
  } finally {
    await ns.dispose();
  }
});

test("immutable field change: reported without force, recreated with force", async () => {
  const ns = await createTestNamespace(cluster, "immutable", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  const job = (image: string): KubeObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "migrate", namespace: ns.name },
    spec: {
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "m", image }],
          tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
        },
      },
    },
  });
  try {
    assert.equal((await m.apply([job("app:1")], { signal }))[0]?.action, "created");
    const before = await getObject(client, job("x"), { signal });
    await assert.rejects(m.apply([job("app:2")], { signal }), (err: unknown) => {
      assert.ok(err instanceof ImmutableFieldError, String(err));
      assert.equal(err.ref, `Job/${ns.name}/migrate`);
      assert.match(err.field, /spec\.template/);
      return true;
    });
    const forced = await m.apply([job("app:2")], { signal, force: true });
    assert.equal(forced[0]?.action, "created");
    assert.match(forced[0]?.reason ?? "", /recreated: immutable field spec\.template/);
    const after = await getObject(client, job("x"), { signal });
    assert.notEqual(after?.metadata.uid, before?.metadata.uid);
    const spec = after?.spec as { template: { spec: { containers: Array<{ image: string }> } } };
    assert.equal(spec.template.spec.containers[0]?.image, "app:2");
  } finally {
    await ns.dispose();
  }
});

test("many objects of one kind are read with one LIST: an unchanged re-apply costs one dry-run per object", async () => {
  const ns = await createTestNamespace(cluster, "bulk", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test", ownerLabels: owner("bulk", ns.name) });
  try {
    const set = Array.from({ length: 12 }, (_, i) => cm(ns.name, `c${i}`, { i: String(i) }));
    assert.ok((await m.apply(set, { signal })).every((e) => e.action === "created"));
    const mark = requests.length;
    assert.ok((await m.apply(set, { signal })).every((e) => e.action === "unchanged"));
    const calls = requests.slice(mark);
    const gets = calls.filter((r) => r.method === "GET" && r.path.endsWith("/configmaps"));
    const perObject = calls.filter((r) => r.method === "GET" && !r.path.endsWith("/configmaps"));
    const dryRuns = calls.filter((r) => r.method === "PATCH" && r.query.dryRun === "All");
    assert.equal(gets.length, 1);
    assert.deepEqual(
      perObject.map((r) => r.path),
      [],
    );
    assert.equal(dryRuns.length, 12);
    assert.equal(calls.length, 13);
    const pruned = await m.prune(staleObjects(inventoryFromObjects(set), inventoryFromObjects([])), {
      signal,
    });
    assert.ok(pruned.every((e) => e.action === "pruned"));
  } finally {
    await ns.dispose();
  }
});

test("cleanup hands kubectl-owned fields to the owner so removed fields go away; ssa: Merge keeps them", async () => {
  const ns = await createTestNamespace(cluster, "cleanup", signal);
  const m = new ResourceManager({
    client,
    fieldManager: "ferry-test",
    cleanup: fluxCleanupDefaults("ferry-test"),
  });
  const lastApplied = "kubectl.kubernetes.io/last-applied-configuration";
  try {
    for (const name of ["edited", "merged"]) {
      await createObject(
        client,
        {
          ...cm(ns.name, name, { a: "1", b: "2" }),
          metadata: { name, namespace: ns.name, annotations: { [lastApplied]: "{}" } },
        },
        { signal, fieldManager: "kubectl-client-side-apply" },
      );
    }
    const first = await m.apply([cm(ns.name, "edited", { a: "1" })], { signal });
    assert.equal(first[0]?.action, "configured");
    let live = await getObject(client, cm(ns.name, "edited", {}), { signal });
    assert.deepEqual(live?.data, { a: "1" }, "the field only kubectl owned is removed");
    assert.equal(live?.metadata.annotations?.[lastApplied], undefined);
    assert.equal((await m.apply([cm(ns.name, "edited", { a: "1" })], { signal }))[0]?.action, "unchanged");

    await mergePatchObject(
      client,
      cm(ns.name, "edited", {}),
      { data: { c: "3" } },
      { signal, fieldManager: "kubectl-edit" },
    );
    assert.equal((await m.apply([cm(ns.name, "edited", { a: "1" })], { signal }))[0]?.action, "configured");
    live = await getObject(client, cm(ns.name, "edited", {}), { signal });
    assert.deepEqual(live?.data, { a: "1" }, "a kubectl edit is reverted");

    const merged = cm(ns.name, "merged", { a: "1" }, { "kustomize.toolkit.fluxcd.io/ssa": "Merge" });
    await m.apply([merged], { signal });
    live = await getObject(client, merged, { signal });
    assert.deepEqual(live?.data, { a: "1", b: "2" }, "ssa: Merge keeps fields other managers own");
  } finally {
    await ns.dispose();
  }
});
