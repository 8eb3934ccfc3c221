/** ResourceSet features against the real local cluster: dependsOn, impersonation, wait. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { getObject, KubeClient, type KubeObject, loadKubeConfig, ResourceManager } from "../../kube/index.ts";
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

const configMap = (namespace: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});
const _b64 = (s: string) => Buffer.from(s).toString("base64");

test("dependsOn: missing, then not ready by readyExpr, then ready; ready: true on a ResourceSet", async () => {
  const h = await startControllers(cluster, "rset-deps", signal);
  const ns = h.namespace;
  try {
    const spec = {
      dependsOn: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          name: "gate",
          namespace: ns,
          ready: true,
          readyExpr: "data.open == 'yes'",
        },
        {
          apiVersion: "fluxcd.controlplane.io/v1",
          kind: "ResourceSet",
          name: "base",
          namespace: ns,
          ready: true,
        },
      ],
      resources: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app", namespace: ns } }],
    };
    await apply(admin, resourceSet(ns, "app", spec), signal);
    const missing = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "app",
      (s) => readyOf(s).reason === "DependencyNotReady",
      signal,
    );
    assert.equal(readyOf(missing).status, "False");
    assert.equal(
      readyOf(missing).message,
      `Retrying dependency check: dependency v1/ConfigMap/${ns}/gate not found`,
    );

    await apply(admin, configMap(ns, "gate", { open: "no" }), signal);
    await waitFor(
      admin,
      "ResourceSet",
      ns,
      "app",
      (s) => /not ready: expression 'data.open == 'yes''/.test(readyOf(s).message ?? ""),
      signal,
    );

    await apply(admin, configMap(ns, "gate", { open: "yes" }), signal);
    await waitFor(
      admin,
      "ResourceSet",
      ns,
      "app",
      (s) =>
        readyOf(s).message ===
        `Retrying dependency check: dependency fluxcd.controlplane.io/v1/ResourceSet/${ns}/base not found`,
      signal,
    );
    assert.equal(
      await getObject(admin, configMap(ns, "app", {}), { signal }),
      undefined,
      "nothing applied while waiting",
    );

    await apply(admin, resourceSet(ns, "base", { resources: [configMap(ns, "base", { k: "v" })] }), signal);
    const s = await waitFor(admin, "ResourceSet", ns, "app", (x) => readyOf(x).status === "True", signal);
    assert.equal(readyOf(s).reason, "ReconciliationSucceeded");
    assert.ok(await getObject(admin, configMap(ns, "app", {}), { signal }));
  } finally {
    await h.stop();
  }
});

test("an invalid readyExpr stalls the set", async () => {
  const h = await startControllers(cluster, "rset-badcel", signal);
  const ns = h.namespace;
  try {
    const spec = {
      dependsOn: [
        { apiVersion: "v1", kind: "ConfigMap", name: "x", namespace: ns, ready: true, readyExpr: "data.(" },
      ],
      resources: [configMap(ns, "app", {})],
    };
    await apply(admin, resourceSet(ns, "bad", spec), signal);
    const s = await waitFor(admin, "ResourceSet", ns, "bad", (x) => readyOf(x).status === "False", signal);
    assert.equal(readyOf(s).reason, "InvalidCELExpression");
    assert.match(
      readyOf(s).message ?? "",
      /^Reconciliation failed terminally due to configuration error: failed to parse expression for dependency v1\/ConfigMap\/.*\/x/,
    );
    assert.equal(conditionOf(s, "Stalled")?.status, "True");
  } finally {
    await h.stop();
  }
});

test("serviceAccountName: applies as the service account; outside its rights the apply is denied and nothing applied", async () => {
  const h = await startControllers(cluster, "rset-sa", signal);
  const ns = h.namespace;
  const other = await createTestNamespace(cluster, "rset-sa-other", signal);
  try {
    await new ResourceManager({ client: admin, fieldManager: "ferry-test" }).apply(
      [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tenant", namespace: ns } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "tenant", namespace: ns },
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
          metadata: { name: "tenant", namespace: ns },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant" },
          subjects: [{ kind: "ServiceAccount", name: "tenant", namespace: ns }],
        },
      ],
      { signal },
    );
    await apply(
      admin,
      resourceSet(ns, "mine", {
        serviceAccountName: "tenant",
        resources: [configMap(ns, "mine", { k: "1" })],
      }),
      signal,
    );
    await waitFor(admin, "ResourceSet", ns, "mine", (s) => readyOf(s).status === "True", signal);
    assert.ok(await getObject(admin, configMap(ns, "mine", {}), { signal }));

    const spec = {
      serviceAccountName: "tenant",
      resources: [configMap(ns, "mine2", { k: "1" }), configMap(other.name, "theirs", { k: "1" })],
    };
    await apply(admin, resourceSet(ns, "theirs", spec), signal);
    const s = await waitFor(admin, "ResourceSet", ns, "theirs", (x) => readyOf(x).status === "False", signal);
    assert.equal(readyOf(s).reason, "ReconciliationFailed");
    assert.match(
      readyOf(s).message ?? "",
      new RegExp(`^reconciliation failed: .*ConfigMap/${other.name}/theirs.*forbidden`, "s"),
    );
    assert.equal(conditionOf(s, "Reconciling")?.reason, "ProgressingWithRetry");
    assert.equal(
      await getObject(admin, configMap(ns, "mine2", {}), { signal }),
      undefined,
      "nothing applied",
    );
    assert.equal(await getObject(admin, configMap(other.name, "theirs", {}), { signal }), undefined);
  } finally {
    await h.stop();
    await other.dispose();
  }
});

test("wait: Ready once the applied objects are healthy; a failed object fails the set with its reason", async () => {
  const h = await startControllers(cluster, "rset-wait", signal);
  const ns = h.namespace;
  const inner = (name: string, template: string) => ({
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSet",
    metadata: { name, namespace: ns },
    spec: { resourcesTemplate: template },
  });
  try {
    const ok = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inner-ok\n  namespace: ${ns}\n`;
    await apply(admin, resourceSet(ns, "outer", { wait: true, resources: [inner("inner", ok)] }), signal);
    await waitFor(admin, "ResourceSet", ns, "outer", (s) => readyOf(s).status === "True", signal);
    const innerStatus = await waitFor(admin, "ResourceSet", ns, "inner", () => true, signal);
    assert.equal(readyOf(innerStatus).status, "True", "the outer set was Ready only after the inner one");

    // The inner set stalls (an expression that does not parse) and never becomes Ready: the wait times out.
    const bad = {
      ...inner("inner-bad", ok),
      spec: {
        dependsOn: [{ apiVersion: "v1", kind: "ConfigMap", name: "x", ready: true, readyExpr: "a.(" }],
        resourcesTemplate: ok,
      },
    };
    await apply(
      admin,
      resourceSet(
        ns,
        "outer-bad",
        { wait: true, resources: [bad] },
        { "fluxcd.controlplane.io/reconcileTimeout": "5s" },
      ),
      signal,
    );
    const s = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "outer-bad",
      (x) => readyOf(x).status === "False",
      signal,
    );
    assert.equal(readyOf(s).reason, "ReconciliationFailed", readyOf(s).message);
    assert.match(readyOf(s).message ?? "", /ResourceSet\/.*inner-bad/);
  } finally {
    await h.stop();
  }
});

test("recreateOnFailure: a failed Job of the set is deleted and created anew at the next reconcile", async () => {
  const h = await startControllers(cluster, "rset-job", signal);
  const ns = h.namespace;
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "migrate",
      namespace: ns,
      annotations: { "fluxcd.controlplane.io/recreateOnFailure": "enabled" },
    },
    spec: {
      // Fails on its own: the deadline passes whatever the pod does.
      activeDeadlineSeconds: 1,
      backoffLimit: 0,
      template: {
        spec: { restartPolicy: "Never", containers: [{ name: "m", image: "example.com/migrate:1" }] },
      },
    },
  };
  const jobRef = { apiVersion: "batch/v1", kind: "Job", name: "migrate", namespace: ns };
  const failed = (o: KubeObject | undefined) =>
    (
      (o?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []
    ).some((c) => c.type === "Failed" && c.status === "True");
  try {
    await apply(admin, resourceSet(ns, "jobs", { resources: [job] }), signal);
    await waitFor(admin, "ResourceSet", ns, "jobs", (s) => readyOf(s).status === "True", signal);
    const first = await waitForObject(admin, jobRef, failed, signal);
    const at = await requestReconcile(admin, "ResourceSet", ns, "jobs", signal);
    await waitFor(
      admin,
      "ResourceSet",
      ns,
      "jobs",
      (s) => s.lastHandledReconcileAt === at && readyOf(s).status === "True",
      signal,
    );
    const second = await getObject(
      admin,
      { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: ns } },
      { signal },
    );
    assert.ok(second, "recreated");
    assert.notEqual(second?.metadata.uid, first?.metadata.uid);
  } finally {
    await h.stop();
  }
});
