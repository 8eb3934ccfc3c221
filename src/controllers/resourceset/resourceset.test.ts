/** The ResourceSet controller against the real local cluster: inputs, prune, build errors, deletion. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, listObjects, loadKubeConfig } from "../../kube/index.ts";
import {
  apply,
  conditionOf,
  readyOf,
  requestReconcile,
  resourceSet,
  startControllers,
  waitFor,
  waitForObject,
} from "./testing.ts";

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

const cm = (namespace: string, name: string) => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace });
const gone = (o: unknown) =>
  o === undefined || !!(o as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp;

function tenantsSpec(ns: string, tenants: string[]) {
  return {
    inputs: tenants.map((t) => ({ tenant: t })),
    resources: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: `${ns}-<< inputs.tenant >>` } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "tenant-<< inputs.tenant >>", namespace: ns },
        data: { tenant: "<< inputs.tenant >>" },
      },
    ],
  };
}

test("inputs create per-tenant namespaces and objects, Ready with inventory; a removed input is pruned; deletion prunes", async () => {
  const h = await startControllers(cluster, "rset-inputs", signal);
  const ns = h.namespace;
  try {
    await apply(admin, resourceSet(ns, "tenants", tenantsSpec(ns, ["a", "b"])), signal);
    const s1 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "tenants",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.equal(readyOf(s1).reason, "ReconciliationSucceeded");
    assert.match(readyOf(s1).message ?? "", /^Reconciliation finished in /);
    assert.deepEqual(
      s1.inventory?.entries.map((e) => e.id),
      [
        `_${ns}-a__Namespace`,
        `_${ns}-b__Namespace`,
        `${ns}_tenant-a__ConfigMap`,
        `${ns}_tenant-b__ConfigMap`,
      ],
    );
    assert.match(s1.lastAppliedRevision ?? "", /^sha256:[0-9a-f]{64}$/);
    const a = await getObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tenant-a", namespace: ns } },
      { signal },
    );
    assert.equal((a?.data as Record<string, string> | undefined)?.tenant, "a");
    assert.equal(a?.metadata.labels?.["resourceset.fluxcd.controlplane.io/name"], "tenants");
    assert.equal(a?.metadata.labels?.["resourceset.fluxcd.controlplane.io/namespace"], ns);
    assert.ok(a?.metadata.managedFields?.some((f) => f.manager === "flux-operator"));
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "Namespace", metadata: { name: `${ns}-b` } },
        { signal },
      ),
    );

    // A requested reconcile of the same inputs changes nothing and is recorded.
    const at = await requestReconcile(admin, "ResourceSet", ns, "tenants", signal);
    const s2 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "tenants",
      (s) => s.lastHandledReconcileAt === at && readyOf(s).status === "True",
      signal,
    );
    assert.equal(s2.lastAppliedRevision, s1.lastAppliedRevision);
    const history = (s2 as { history?: Array<Record<string, unknown>> }).history ?? [];
    assert.equal(history.length, 1, "one snapshot for the same digest and status");
    assert.equal(history[0]?.digest, s1.lastAppliedRevision);
    assert.equal(history[0]?.lastReconciledStatus, "ReconciliationSucceeded");
    assert.equal(history[0]?.totalReconciliations, 2);
    assert.deepEqual(history[0]?.metadata, { inputs: "2", resources: "4" });

    // Remove tenant b: its namespace and ConfigMap are pruned.
    const o = await apply(admin, resourceSet(ns, "tenants", tenantsSpec(ns, ["a"])), signal);
    const s3 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "tenants",
      (s) => readyOf(s).status === "True" && readyOf(s).observedGeneration === o.metadata.generation,
      signal,
    );
    assert.deepEqual(
      s3.inventory?.entries.map((e) => e.id),
      [`_${ns}-a__Namespace`, `${ns}_tenant-a__ConfigMap`],
    );
    await waitForObject(admin, cm(ns, "tenant-b"), gone, signal);
    await waitForObject(admin, { apiVersion: "v1", kind: "Namespace", name: `${ns}-b` }, gone, signal);
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tenant-a", namespace: ns } },
        { signal },
      ),
    );

    // Deletion prunes what the set created, then the finalizer goes.
    const live = await getObject(admin, resourceSet(ns, "tenants", {}), { signal });
    assert.deepEqual(live?.metadata.finalizers, ["fluxcd.controlplane.io/finalizer"]);
    await deleteObject(admin, resourceSet(ns, "tenants", {}), { signal });
    await waitForObject(
      admin,
      { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSet", name: "tenants", namespace: ns },
      (x) => x === undefined,
      signal,
    );
    await waitForObject(admin, cm(ns, "tenant-a"), gone, signal);
    await waitForObject(admin, { apiVersion: "v1", kind: "Namespace", name: `${ns}-a` }, gone, signal);
  } finally {
    await h.stop();
  }
});

test("a template error stalls the set naming the resource and the input; nothing applied, nothing pruned", async () => {
  const h = await startControllers(cluster, "rset-tplerr", signal);
  const ns = h.namespace;
  const good = {
    inputs: [{ tenant: "a" }, { tenant: "b" }],
    resources: [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t-<< inputs.tenant >>", namespace: ns } },
    ],
  };
  try {
    await apply(admin, resourceSet(ns, "tpl", good), signal);
    const s1 = await waitFor(admin, "ResourceSet", ns, "tpl", (s) => readyOf(s).status === "True", signal);
    const bad = {
      inputs: [{ tenant: "a", team: "x" }, { tenant: "c" }],
      resources: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t-<< inputs.tenant >>", namespace: ns } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "team-<< inputs.team >>", namespace: ns } },
      ],
    };
    const o = await apply(admin, resourceSet(ns, "tpl", bad), signal);
    const s2 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "tpl",
      (s) => readyOf(s).status === "False" && readyOf(s).observedGeneration === o.metadata.generation,
      signal,
    );
    assert.equal(readyOf(s2).reason, "BuildFailed");
    assert.match(
      readyOf(s2).message ?? "",
      /^build failed: .*spec\.resources\[1\] \(ConfigMap\/team-<< inputs\.team >>\) with input #2: .*team/,
    );
    assert.equal(conditionOf(s2, "Stalled")?.status, "True");
    assert.equal(conditionOf(s2, "Reconciling"), undefined);
    assert.deepEqual(s2.inventory, s1.inventory, "inventory kept");
    assert.equal(s2.lastAppliedRevision, s1.lastAppliedRevision);
    const history = (s2 as { history?: Array<Record<string, unknown>> }).history ?? [];
    assert.deepEqual(
      history.map((h) => h.lastReconciledStatus),
      ["BuildFailed", "ReconciliationSucceeded"],
    );
    // Nothing applied (t-c, team-x) and nothing pruned (t-b).
    for (const name of ["t-c", "team-x"]) {
      assert.equal(
        await getObject(
          admin,
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns } },
          { signal },
        ),
        undefined,
        name,
      );
    }
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t-b", namespace: ns } },
        { signal },
      ),
    );
  } finally {
    await h.stop();
  }
});

test("reconcile: disabled stops changes and keeps objects on deletion; steps apply in order", async () => {
  const h = await startControllers(cluster, "rset-disabled", signal);
  const ns = h.namespace;
  const one = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns } });
  try {
    const spec = {
      steps: [
        { name: "first", resources: [one("first")] },
        { name: "second", resources: [one("second")], timeout: "30s" },
      ],
    };
    await apply(admin, resourceSet(ns, "steps", spec), signal);
    const s1 = await waitFor(admin, "ResourceSet", ns, "steps", (s) => readyOf(s).status === "True", signal);
    assert.deepEqual(
      s1.inventory?.entries.map((e) => e.id),
      [`${ns}_first__ConfigMap`, `${ns}_second__ConfigMap`],
    );

    const off = { "fluxcd.controlplane.io/reconcile": "disabled" };
    await apply(admin, resourceSet(ns, "steps", { resources: [one("third")] }, off), signal);
    // A request is handled by doing nothing: wait for the disabled event, then check nothing moved.
    await requestReconcile(admin, "ResourceSet", ns, "steps", signal);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const evs = await listObjects(admin, "events.k8s.io/v1", "Event", { signal, namespace: ns });
      if (evs.items.some((e) => e.reason === "ReconciliationDisabled")) break;
      assert.ok(Date.now() < deadline, "no ReconciliationDisabled event");
      await sleep(100);
    }
    assert.equal(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "third", namespace: ns } },
        { signal },
      ),
      undefined,
    );
    await deleteObject(admin, resourceSet(ns, "steps", {}), { signal });
    await waitForObject(
      admin,
      { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSet", name: "steps", namespace: ns },
      (x) => x === undefined,
      signal,
    );
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "first", namespace: ns } },
        { signal },
      ),
      "kept",
    );
  } finally {
    await h.stop();
  }
});

test("a failed step keeps what earlier steps applied in the inventory, so it is pruned later", async () => {
  const h = await startControllers(cluster, "rset-partial", signal);
  const ns = h.namespace;
  const one = (name: string, namespace = ns) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
  });
  try {
    const spec = {
      steps: [
        { name: "first", resources: [one("first")] },
        { name: "second", resources: [one("second", `${ns}-missing`)] },
      ],
    };
    await apply(admin, resourceSet(ns, "partial", spec), signal);
    const s1 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "partial",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(readyOf(s1).reason, "ReconciliationFailed");
    assert.match(readyOf(s1).message ?? "", /^reconciliation failed: step "second" apply failed: .*second/);
    assert.deepEqual(
      s1.inventory?.entries.map((e) => e.id),
      [`${ns}_first__ConfigMap`],
    );

    const o = await apply(admin, resourceSet(ns, "partial", { resources: [one("other")] }), signal);
    const s2 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "partial",
      (s) => readyOf(s).status === "True" && readyOf(s).observedGeneration === o.metadata.generation,
      signal,
    );
    assert.deepEqual(
      s2.inventory?.entries.map((e) => e.id),
      [`${ns}_other__ConfigMap`],
    );
    assert.equal(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "first", namespace: ns } },
        { signal },
      ),
      undefined,
    );
  } finally {
    await h.stop();
  }
});
