/**
 * ResourceSets under multi-tenancy, in a running agent on the real local cluster: a set without
 * `serviceAccountName` acts as flux-operator's default service account (`operatorDefaultServiceAccount`),
 * not as the Kustomizations' one nor as a FluxInstance's `tenantDefaultServiceAccount`; a Kustomization it
 * renders with a cross-namespace `sourceRef` is still refused by the Kustomization reconciler's lockdown.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, loadKubeConfig, ResourceManager } from "../../kube/index.ts";
import { cond, startAgent, waitForKs } from "../kustomization/testing.ts";
import { apply, conditionOf, readyOf, resourceSet, waitFor, waitForObject } from "./testing.ts";

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

const configMap = (namespace: string, name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data: { k: "v" },
});

test("multi-tenancy: a ResourceSet without serviceAccountName acts as the operator's default account; rendered Kustomizations stay locked down", async () => {
  // Kustomizations default to an account that does not exist; ResourceSets to `tenant`; no cross-namespace refs.
  const h = await startAgent(cluster, "rset-tenancy", signal, {
    noCrossNamespaceRefs: true,
    defaultServiceAccount: "nobody",
    operatorDefaultServiceAccount: "tenant",
  });
  const ns = h.namespace;
  const other = await createTestNamespace(cluster, "rset-tenancy-other", signal);
  try {
    await new ResourceManager({ client: admin, fieldManager: "ferry-test" }).apply(
      [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tenant", namespace: ns } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "tenant", namespace: ns },
          rules: [
            { apiGroups: [""], resources: ["configmaps"], verbs: ["*"] },
            { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["kustomizations"], verbs: ["*"] },
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

    // Inside the tenant's namespace: applied as `tenant` (allowed ConfigMaps and Kustomizations there).
    await apply(admin, resourceSet(ns, "own", { resources: [configMap(ns, "own")] }), signal);
    await waitFor(admin, "ResourceSet", ns, "own", (s) => readyOf(s).status === "True", signal);
    assert.ok(await getObject(admin, configMap(ns, "own"), { signal }));

    // Outside it: the default account may not write there, so nothing of the set is applied.
    await apply(
      admin,
      resourceSet(ns, "escape", { resources: [configMap(ns, "escape"), configMap(other.name, "escape")] }),
      signal,
    );
    const escaped = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "escape",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(readyOf(escaped).reason, "ReconciliationFailed");
    assert.match(readyOf(escaped).message ?? "", /forbidden/);
    assert.match(readyOf(escaped).message ?? "", /system:serviceaccount:[^:]+:tenant/);
    assert.equal(conditionOf(escaped, "Reconciling")?.reason, "ProgressingWithRetry");
    assert.equal(await getObject(admin, configMap(ns, "escape"), { signal }), undefined);

    // A FluxInstance's tenantDefaultServiceAccount changes the Kustomizations' default only.
    h.agent.settings.setTenancy(`${ns}/flux`, { noCrossNamespaceRefs: true, defaultServiceAccount: "ghost" });

    // A Kustomization the set renders with a sourceRef in another namespace is refused by the lockdown.
    await apply(
      admin,
      resourceSet(ns, "ks", {
        resources: [
          {
            apiVersion: "kustomize.toolkit.fluxcd.io/v1",
            kind: "Kustomization",
            metadata: { name: "cross", namespace: ns },
            spec: {
              interval: "10m",
              path: "./",
              prune: true,
              sourceRef: { kind: "OCIRepository", name: "fleet", namespace: other.name },
            },
          },
        ],
      }),
      signal,
    );
    await waitFor(admin, "ResourceSet", ns, "ks", (s) => readyOf(s).status === "True", signal);
    const cross = await waitForKs(admin, ns, "cross", (s) => cond(s, "Stalled").status === "True", signal);
    assert.equal(cond(cross).reason, "AccessDenied");
    assert.equal(
      cond(cross).message,
      `can't access 'OCIRepository/${other.name}/fleet', cross-namespace references have been blocked`,
    );
  } finally {
    for (const name of ["own", "escape", "ks"]) {
      await deleteObject(admin, resourceSet(ns, name, {}), { signal }).catch(() => {});
      await waitForObject(
        admin,
        { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSet", name, namespace: ns },
        (o) => o === undefined,
        signal,
      ).catch(() => {});
    }
    await h.stop();
    await other.dispose();
  }
});
