/** The apply engine against a real API server (the shared test cluster, or a private one when run alone). */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { type ChangeSetEntry, formatChanges } from "./changeset.ts";
import { fluxCleanupDefaults } from "./cleanup.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { ImmutableFieldError, ValidationError } from "./errors.ts";
import { inventoryFromChangeSet, inventoryFromObjects, staleObjects } from "./inventory.ts";
import { ResourceManager } from "./manager.ts";
import type { KubeObject } from "./object.ts";
import { createObject, deleteObject, getObject, mergePatchObject } from "./rest.ts";

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

const cm = (
  ns: string,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  data,
});

const deployment = (ns: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: "app", image: "registry.example/app:1" }],
        tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
        ...extra,
      },
    },
  },
});

const actions = (cs: ChangeSetEntry[]) => Object.fromEntries(cs.map((e) => [e.ref, e.action]));

function owner(name: string, ns: string) {
  return { "kustomize.toolkit.fluxcd.io/name": name, "kustomize.toolkit.fluxcd.io/namespace": ns };
}

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

test("staged apply: a CRD, a new Namespace and resources of both in one set; CEL health over the custom resource", async () => {
  const id = randomBytes(3).toString("hex");
  const group = `t${id}.ferry.test`;
  const nsName = `staged-${id}`;
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
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
  const widget: KubeObject = {
    apiVersion: `${group}/v1`,
    kind: "Widget",
    metadata: { name: "w", namespace: nsName },
    spec: { size: 3 },
  };
  const nsObj: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: nsName } };
  const m = new ResourceManager({
    client,
    fieldManager: "ferry-test",
    healthCheckExprs: [
      {
        apiVersion: `${group}/v1`,
        kind: "Widget",
        current: "status.phase == 'Ready'",
        failed: "status.phase == 'Broken'",
      },
    ],
  });
  try {
    const cs = await m.apply([widget, cm(nsName, "c", { k: "1" }), nsObj, crd], { signal });
    assert.deepEqual(
      cs.map((e) => [e.ref, e.action]),
      [
        [`CustomResourceDefinition/widgets.${group}`, "created"],
        [`Namespace/${nsName}`, "created"],
        [`ConfigMap/${nsName}/c`, "created"],
        [`Widget/${nsName}/w`, "created"],
      ],
    );
    assert.ok(
      (await m.apply([widget, cm(nsName, "c", { k: "1" }), nsObj, crd], { signal })).every(
        (e) => e.action === "unchanged",
      ),
    );
    await assert.rejects(
      m.wait([widget], { signal, timeoutMs: 1500, intervalMs: 200 }),
      /Widget\/.*\/w \(InProgress: cannot evaluate/,
    );
    await mergePatchObject(client, widget, { status: { phase: "Ready" } }, { signal, subresource: "status" });
    await m.wait([widget], { signal, timeoutMs: 10_000, intervalMs: 200 });
    await mergePatchObject(
      client,
      widget,
      { status: { phase: "Broken" } },
      { signal, subresource: "status" },
    );
    await assert.rejects(
      m.wait([widget], { signal, timeoutMs: 10_000, intervalMs: 200 }),
      /health check failed for Widget/,
    );
  } finally {
    await deleteObject(client, nsObj, { signal });
    await deleteObject(client, crd, { signal });
  }
});

test("health wait: succeeds when kwok makes a Deployment available, times out with the reason otherwise", async () => {
  const ns = await createTestNamespace(cluster, "health", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    const ok = deployment(ns.name, "ok");
    const stuck = deployment(ns.name, "stuck", { nodeSelector: { "ferry.test/none": "true" } });
    await m.apply([ok, stuck], { signal });
    await m.wait([ok], { signal, timeoutMs: 90_000, intervalMs: 500 });
    await assert.rejects(
      m.wait([ok, stuck], { signal, timeoutMs: 3000, intervalMs: 500 }),
      (err: unknown) => {
        assert.match(
          String(err),
          new RegExp(
            `1 object\\(s\\) to become ready: Deployment/${ns.name}/stuck \\(InProgress: (Available|Ready): 0/1\\)`,
          ),
        );
        return true;
      },
    );
  } finally {
    await ns.dispose();
  }
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

test("impersonating a tenant service account: allowed in its namespace, denied outside it (RBAC)", async () => {
  const ns = await createTestNamespace(cluster, "tenant", signal);
  const other = await createTestNamespace(cluster, "other", signal);
  const admin = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    await admin.apply(
      [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tenant", namespace: ns.name } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "tenant", namespace: ns.name },
          rules: [
            {
              apiGroups: [""],
              resources: ["configmaps"],
              verbs: ["get", "list", "create", "patch", "update", "delete"],
            },
          ],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "tenant", namespace: ns.name },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant" },
          subjects: [{ kind: "ServiceAccount", name: "tenant", namespace: ns.name }],
        },
      ],
      { signal },
    );
    const tenantClient = client.asServiceAccount(ns.name, "tenant");
    const tenant = new ResourceManager({ client: tenantClient, fieldManager: "ferry-test" });
    const ok = await tenant.apply([cm(ns.name, "mine", { k: "1" })], { signal });
    assert.equal(ok[0]?.action, "created");
    await assert.rejects(
      tenant.apply([cm(ns.name, "mine2", { k: "1" }), cm(other.name, "theirs", { k: "1" })], { signal }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.match(
          err.message,
          new RegExp(
            `ConfigMap/${other.name}/theirs dry-run failed: .*system:serviceaccount:${ns.name}:tenant.*forbidden|forbidden.*system:serviceaccount:${ns.name}:tenant`,
          ),
        );
        return true;
      },
    );
    assert.equal(await getObject(client, cm(ns.name, "mine2", {}), { signal }), undefined, "nothing applied");
    tenantClient.close();
  } finally {
    await ns.dispose();
    await other.dispose();
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
