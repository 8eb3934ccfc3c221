/** ResourceSets end to end against the real local cluster: in a running agent, and the example fleet's tenants. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { Agent, installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, type KubeObject, loadKubeConfig } from "../../kube/index.ts";
import {
  apply,
  provider,
  readyOf,
  resourceSet,
  startControllers,
  waitFor,
  waitForObject,
} from "./testing.ts";

/** A postBuild substitution variable as the example fleet writes it: `${NAME}`. */
const variable = (name: string) => `\${${name}}`;

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

test("agent: a Static provider and a ResourceSet reconcile to objects; deleting the set prunes them", async () => {
  const ns = await createTestNamespace(cluster, "rset-agent", signal);
  const storeDir = await mkdtemp(join(tmpdir(), "ferry-rset-agent-"));
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir,
    concurrency: 2,
    installCRDs: false,
  });
  const ac = new AbortController();
  const running = agent.start(AbortSignal.any([ac.signal, signal])).catch((err: unknown) => err);
  let failed: unknown;
  try {
    await apply(admin, provider(ns.name, "apps", { type: "Static", defaultValues: { app: "web" } }), signal);
    const spec = {
      inputsFrom: [
        { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSetInputProvider", name: "apps" },
      ],
      resources: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "<< inputs.app >>", namespace: ns.name } },
      ],
    };
    await apply(admin, resourceSet(ns.name, "apps", spec), signal);
    const s = await waitFor(
      admin,
      "ResourceSet",
      ns.name,
      "apps",
      (x) => readyOf(x).status === "True" && (x.inventory?.entries.length ?? 0) > 0,
      signal,
    );
    assert.deepEqual(
      s.inventory?.entries.map((e) => e.id),
      [`${ns.name}_web__ConfigMap`],
    );
    assert.ok(
      await getObject(
        admin,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: ns.name } },
        { signal },
      ),
    );

    await deleteObject(admin, resourceSet(ns.name, "apps", {}), { signal });
    await waitForObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", name: "web", namespace: ns.name },
      (o) => o === undefined,
      signal,
    );
    await deleteObject(admin, provider(ns.name, "apps", {}), { signal });
    await waitForObject(
      admin,
      {
        apiVersion: "fluxcd.controlplane.io/v1",
        kind: "ResourceSetInputProvider",
        name: "apps",
        namespace: ns.name,
      },
      (o) => o === undefined,
      signal,
    );
  } finally {
    ac.abort();
    failed = await running;
    await ns.dispose().catch(() => {});
    await rm(storeDir, { recursive: true, force: true });
  }
  assert.ok(!(failed instanceof Error), `agent failed: ${String(failed)}`);
});

test("the example fleet's tenants ResourceSet (examples/fleet/tenants/apps.yaml) reconciles: namespaces, copies, RBAC, sources", async () => {
  const h = await startControllers(cluster, "rset-fleet", signal);
  const ns = h.namespace;
  try {
    // The example with this test's namespace for flux-system and tenant names of its own.
    const text = (
      await readFile(new URL("../../../examples/fleet/tenants/apps.yaml", import.meta.url), "utf8")
    )
      .replaceAll("flux-system", ns)
      .replaceAll("tenant: podinfo", `tenant: ${ns}-podinfo`)
      .replaceAll("tenant: redis", `tenant: ${ns}-redis`)
      .replaceAll(variable("ARTIFACT_TAG"), "latest")
      .replaceAll(variable("ENVIRONMENT"), "staging")
      .replaceAll(variable("REGISTRY"), "registry.example:5000");
    const rset = parse(text) as KubeObject;
    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "flux-runtime-info", namespace: ns },
        data: { ARTIFACT_TAG: "latest" },
      },
      signal,
    );
    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cosign-pub", namespace: ns },
        data: { "cosign.pub": Buffer.from("key").toString("base64") },
      },
      signal,
    );
    await apply(admin, rset, signal);
    const s = await waitFor(admin, "ResourceSet", ns, "apps", (x) => readyOf(x).status === "True", signal);
    const kinds = (s.inventory?.entries ?? []).map((e) => e.id.split("_").slice(2).join("/")).sort();
    assert.deepEqual(
      kinds,
      [
        "/Namespace",
        "/Namespace",
        "/ConfigMap",
        "/ConfigMap",
        "/Secret",
        "/Secret",
        "/ServiceAccount",
        "/ServiceAccount",
        "kustomize.toolkit.fluxcd.io/Kustomization",
        "kustomize.toolkit.fluxcd.io/Kustomization",
        "rbac.authorization.k8s.io/RoleBinding",
        "rbac.authorization.k8s.io/RoleBinding",
        "source.toolkit.fluxcd.io/OCIRepository",
        "source.toolkit.fluxcd.io/OCIRepository",
      ].sort(),
    );
    const copy = await getObject(
      admin,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "flux-runtime-info", namespace: `${ns}-redis` },
      },
      { signal },
    );
    assert.deepEqual(copy?.data, { ARTIFACT_TAG: "latest" });
    const repo = await getObject(
      admin,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: { name: `${ns}-podinfo`, namespace: `${ns}-podinfo` },
      },
      { signal },
    );
    assert.equal(
      (repo?.spec as { url?: string } | undefined)?.url,
      `oci://registry.example:5000/components/${ns}-podinfo`,
    );
  } finally {
    // Stopping deletes the set, which prunes the tenant namespaces.
    await h.stop();
  }
});
