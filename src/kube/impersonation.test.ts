/** Impersonation against a real API server: a tenant service account's RBAC decides what an apply may touch. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { ValidationError } from "./errors.ts";
import { ResourceManager } from "./manager.ts";
import { getObject } from "./rest.ts";
import { cm } from "./testing.ts";

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
