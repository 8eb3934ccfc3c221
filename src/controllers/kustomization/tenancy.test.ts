/**
 * Multi-tenancy against the real cluster and registry: a tenant's service account (impersonation) applies
 * in its namespace and is refused outside it, the lockdown refuses cross-namespace sources, and deletion
 * prunes as the tenant, or keeps the objects when the account is gone.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
} from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { ociRepository, pushFiles } from "../ocirepository/testing.ts";
import { cond, kustomization, reconcileKs, startAgent, waitForKs, waitForObject } from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let oci: OciClient;
const signal = AbortSignal.timeout(540_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  oci = new OciClient();
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
});

const apply = (o: KubeObject) => applyObject(kube, o, { signal, fieldManager: "ferry-test", force: true });
const get = (apiVersion: string, kind: string, namespace: string, name: string) =>
  getObject(kube, { apiVersion, kind, metadata: { name, namespace } }, { signal });
const kustomizationYaml = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;
const configMapYaml = (name: string, data: Record<string, string>, namespace?: string) =>
  stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, ...(namespace ? { namespace } : {}) },
    data,
  });

async function source(ns: string, prefix: string, files: Record<string, string>): Promise<string> {
  const repo = `${regs.open}/${uniqueRepo(prefix)}`;
  const digest = await pushFiles(oci, `${repo}:latest`, files, signal);
  await apply(ociRepository(ns, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
  return `latest@${digest}`;
}

test("impersonation: a tenant's service account applies in its namespace and is denied outside it; lockdown refuses cross-namespace sources", async () => {
  const other = await createTestNamespace(cluster, "ks-other", signal);
  const h = await startAgent(cluster, "ks-tenant", signal, { noCrossNamespaceRefs: true });
  try {
    await source(h.namespace, "ks-tenant", {
      "own/kustomization.yaml": kustomizationYaml("a.yaml"),
      "own/a.yaml": configMapYaml("mine", { k: "v" }),
      "escape/kustomization.yaml": kustomizationYaml("a.yaml", "b.yaml"),
      "escape/a.yaml": configMapYaml("inside", { k: "v" }, h.namespace),
      "escape/b.yaml": configMapYaml("outside", { k: "v" }, other.name),
    });
    await apply({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "tenant", namespace: h.namespace },
    });
    await apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "tenant", namespace: h.namespace },
      rules: [
        {
          apiGroups: [""],
          resources: ["configmaps"],
          verbs: ["get", "list", "create", "patch", "update", "delete"],
        },
      ],
    });
    await apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "tenant", namespace: h.namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant" },
      subjects: [{ kind: "ServiceAccount", name: "tenant", namespace: h.namespace }],
    });
    await apply(
      kustomization(h.namespace, "own", {
        path: "./own",
        targetNamespace: h.namespace,
        serviceAccountName: "tenant",
      }),
    );
    await apply(kustomization(h.namespace, "escape", { path: "./escape", serviceAccountName: "tenant" }));
    const own = await waitForKs(kube, h.namespace, "own", (s) => cond(s).status === "True", signal);
    assert.deepEqual(
      own.inventory?.entries.map((e) => e.id),
      [`${h.namespace}_mine__ConfigMap`],
    );
    const esc = await waitForKs(kube, h.namespace, "escape", (s) => cond(s).status === "False", signal);
    assert.equal(cond(esc).reason, "ReconciliationFailed");
    assert.match(cond(esc).message ?? "", new RegExp(`ConfigMap/${other.name}/outside`));
    assert.match(cond(esc).message ?? "", /forbidden/i);
    assert.equal(await get("v1", "ConfigMap", other.name, "outside"), undefined);
    assert.equal(
      await get("v1", "ConfigMap", h.namespace, "inside"),
      undefined,
      "nothing applied when any object is denied",
    );

    // Lockdown: a source in another namespace is refused and the Kustomization stalls.
    await apply(
      kustomization(h.namespace, "cross", {
        path: "./own",
        sourceRef: { kind: "OCIRepository", name: "src", namespace: other.name },
      }),
    );
    const cross = await waitForKs(
      kube,
      h.namespace,
      "cross",
      (s) => cond(s, "Stalled").status === "True",
      signal,
    );
    assert.equal(cond(cross).reason, "AccessDenied");
    assert.equal(
      cond(cross).message,
      `can't access 'OCIRepository/${other.name}/src', cross-namespace references have been blocked`,
    );
    // A requested reconcile stays refused.
    const at = await reconcileKs(kube, h.namespace, "cross", signal);
    const again = await waitForKs(kube, h.namespace, "cross", (s) => s.lastHandledReconcileAt === at, signal);
    assert.equal(cond(again).reason, "AccessDenied");

    // With the account present, deletion prunes as the tenant (which may not even read service accounts).
    await apply(
      kustomization(h.namespace, "own2", {
        path: "./own",
        targetNamespace: h.namespace,
        nameSuffix: "-2",
        serviceAccountName: "tenant",
      }),
    );
    await waitForKs(kube, h.namespace, "own2", (s) => cond(s).status === "True", signal);
    const own2 = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: h.namespace,
      name: "own2",
    };
    await deleteObject(
      kube,
      { apiVersion: own2.apiVersion, kind: own2.kind, metadata: { name: "own2", namespace: h.namespace } },
      { signal },
    );
    await waitForObject(kube, own2, (o) => o === undefined, signal);
    assert.equal(await get("v1", "ConfigMap", h.namespace, "mine-2"), undefined, "pruned as the tenant");

    // The tenant's service account is gone: deleting its Kustomization leaves the objects in place (no
    // identity to delete them as) and says so in a Warning event, as Flux does.
    await deleteObject(
      kube,
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tenant", namespace: h.namespace } },
      { signal },
    );
    const ksHeader = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "own", namespace: h.namespace },
    };
    await deleteObject(kube, ksHeader, { signal });
    await waitForObject(
      kube,
      { ...ksHeader, namespace: h.namespace, name: "own" },
      (o) => o === undefined,
      signal,
    );
    assert.ok(await get("v1", "ConfigMap", h.namespace, "mine"), "kept without the service account");
    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(
      events.items.some(
        (e) => e.type === "Warning" && e.note === `unable to prune objects: \nConfigMap/${h.namespace}/mine`,
      ),
      "unable to prune event",
    );
  } finally {
    await h.stop();
    await other.dispose();
  }
});

test("the lockdown is read at each reconcile: a FluxInstance's tenancy applies at once", async () => {
  const h = await startAgent(cluster, "ks-lockdown", signal);
  try {
    await source(h.namespace, "ks-lockdown", {
      "own/kustomization.yaml": kustomizationYaml("a.yaml"),
      "own/a.yaml": configMapYaml("synced", { k: "v" }),
      "remote/kustomization.yaml": kustomizationYaml("https://github.com/acme/lib//deploy?ref=v1"),
    });
    // Refers to a source in another namespace: without lockdown it is just missing.
    await apply(
      kustomization(h.namespace, "cross", {
        path: "./own",
        sourceRef: { kind: "OCIRepository", name: "src", namespace: "elsewhere" },
      }),
    );
    await waitForKs(kube, h.namespace, "cross", (s) => cond(s).reason === "ArtifactFailed", signal);

    // A multitenant FluxInstance tightens the agent's settings: every Kustomization is re-enqueued.
    h.agent.settings.setTenancy(`${h.namespace}/flux`, {
      noCrossNamespaceRefs: true,
      defaultServiceAccount: "default",
      noRemoteBases: true,
    });
    const denied = await waitForKs(
      kube,
      h.namespace,
      "cross",
      (s) => cond(s).reason === "AccessDenied",
      signal,
    );
    assert.equal(cond(denied, "Stalled").status, "True");

    // Remote bases are refused before kustomize would fetch them (the profile's --no-remote-bases).
    await apply(kustomization(h.namespace, "remote", { path: "./remote", serviceAccountName: "default" }));
    const remote = await waitForKs(kube, h.namespace, "remote", (s) => cond(s).status === "False", signal);
    assert.equal(cond(remote).reason, "BuildFailed");
    assert.match(
      cond(remote).message ?? "",
      /remote bases are not allowed .*'https:\/\/github\.com\/acme\/lib\/\/deploy\?ref=v1' in remote\/kustomization\.yaml/,
    );
    // Gone before the lockdown is lifted below: kustomize would then try to fetch the base.
    await deleteObject(kube, kustomization(h.namespace, "remote", {}), { signal });

    // A Kustomization naming no account gets the tenants' default one, whose RBAC allows nothing here.
    await apply(
      kustomization(h.namespace, "tenant", { path: "./own", targetNamespace: h.namespace, nameSuffix: "-t" }),
    );
    const tenant = await waitForKs(kube, h.namespace, "tenant", (s) => cond(s).status === "False", signal);
    assert.equal(cond(tenant).reason, "ReconciliationFailed");
    assert.match(cond(tenant).message ?? "", /forbidden/i);

    // Lifting the lockdown re-enqueues again: the cross-namespace reference is only missing once more.
    h.agent.settings.setTenancy(`${h.namespace}/flux`, undefined);
    await waitForKs(kube, h.namespace, "cross", (s) => cond(s).reason === "ArtifactFailed", signal);
    await waitForKs(kube, h.namespace, "tenant", (s) => cond(s).status === "True", signal);
  } finally {
    await h.stop();
  }
});
