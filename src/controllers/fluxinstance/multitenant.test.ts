/**
 * A multitenant FluxInstance in a running agent, against the real local cluster and registry: the sync
 * Kustomization runs as `kustomize-controller`, which the instance generates with its cluster-admin binding
 * (as flux-operator's multitenant profile and Flux's install), so it applies across namespaces while the
 * tenants' default account (which does not even exist here) holds for every other Kustomization; deletion
 * removes the account and its binding and keeps the fleet's objects.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  KubeClient,
  type KubeObject,
  loadKubeConfig,
} from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { pushFiles } from "../ocirepository/testing.ts";
import { condOf, FI, fluxInstance, KS, startAgent, waitForObject } from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
const oci = new OciClient();
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
});

const cm = (ns: string, name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  k: v\n`;
const ready = (o: KubeObject | undefined) => condOf(o, "Ready")?.status === "True";
const configMap = (name: string, namespace: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  name,
  namespace,
});

test("multitenant: the sync Kustomization runs as the generated kustomize-controller account (cluster-admin); deletion removes it and keeps the workloads", async () => {
  const h = await startAgent(cluster, "fi-mt", signal);
  const ns = h.namespace;
  const other = await createTestNamespace(cluster, "fi-mt-other", signal);
  const binding = `cluster-reconciler-${ns}`;
  try {
    const repo = `${regs.open}/${uniqueRepo("fi-mt-fleet")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      { "clusters/test/a.yaml": cm(ns, "here"), "clusters/test/b.yaml": cm(other.name, "there") },
      signal,
    );
    await applyObject(
      kube,
      fluxInstance(ns, {
        cluster: { multitenant: true, tenantDefaultServiceAccount: "flux" },
        sync: { kind: "OCIRepository", url: `oci://${repo}`, ref: "latest", path: "clusters/test" },
      }),
      { signal, fieldManager: "ferry-test", force: true },
    );
    const fi = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      ready,
      signal,
    );
    const entries = ((fi?.status ?? {}) as { inventory?: { entries: Array<{ id: string }> } }).inventory
      ?.entries;
    assert.deepEqual(
      entries?.map((e) => e.id),
      [
        `${ns}_${ns}_kustomize.toolkit.fluxcd.io_Kustomization`,
        `${ns}_${ns}_source.toolkit.fluxcd.io_OCIRepository`,
        `${ns}_kustomize-controller__ServiceAccount`,
        `_${binding}_rbac.authorization.k8s.io_ClusterRoleBinding`,
      ].sort(),
    );
    const ks = await getObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", metadata: { name: ns, namespace: ns } },
      { signal },
    );
    assert.equal(
      ((ks?.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName,
      "kustomize-controller",
    );
    assert.ok(ready(ks), "the sync Kustomization is Ready");
    // Applied across namespaces: the sync acts with cluster-admin rights.
    await waitForObject(kube, configMap("there", other.name), (o) => !!o, signal);
    const crb = await getObject(
      kube,
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: binding } },
      { signal },
    );
    assert.deepEqual((crb as KubeObject & { roleRef?: unknown }).roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "cluster-admin",
    });

    // Any other Kustomization gets the tenants' default account, which does not exist: it fails.
    await applyObject(
      kube,
      {
        apiVersion: KS,
        kind: "Kustomization",
        metadata: { name: "tenant", namespace: ns },
        spec: {
          interval: "10m",
          path: "clusters/test",
          prune: true,
          sourceRef: { kind: "OCIRepository", name: ns },
        },
      },
      { signal, fieldManager: "ferry-test", force: true },
    );
    const tenant = await waitForObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", name: "tenant", namespace: ns },
      (o) => condOf(o, "Ready")?.status === "False",
      signal,
    );
    assert.match(condOf(tenant, "Ready")?.message ?? "", /system:serviceaccount:[^:]+:flux/);
    await deleteObject(kube, tenant as KubeObject, { signal });

    // Deletion: the sync objects, the account and its binding go; the fleet's objects stay (flux-operator
    // uninstalls "without affecting any Flux-managed workloads").
    await deleteObject(kube, fi as KubeObject, { signal });
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => !o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", name: ns, namespace: ns },
      (o) => !o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: binding },
      (o) => !o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: "v1", kind: "ServiceAccount", name: "kustomize-controller", namespace: ns },
      (o) => !o,
      signal,
    );
    await waitForObject(kube, configMap("there", other.name), (o) => !!o, signal);
    await waitForObject(kube, configMap("here", ns), (o) => !!o, signal);
  } finally {
    await h.stop();
    await deleteObject(
      kube,
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: binding } },
      { signal },
    ).catch(() => {});
    await other.dispose();
  }
});
