/**
 * Deleting a Kustomization against the real cluster and registry: prune removes its objects, deletionPolicy
 * Orphan keeps them, WaitForTermination waits until they are gone, and a Namespace it applied (in stages,
 * before the objects inside it) goes with it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
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
import { cond, kustomization, startAgent, waitForKs, waitForObject } from "./testing.ts";

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
const cm = (ns: string, name: string) => ({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name });
const get = (h: { apiVersion: string; kind: string; namespace: string; name: string }) =>
  getObject(
    kube,
    { apiVersion: h.apiVersion, kind: h.kind, metadata: { name: h.name, namespace: h.namespace } },
    {
      signal,
    },
  );
const configMapYaml = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: "${value}"\n`;
const kustomizationYaml = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;

async function events(ns: string): Promise<KubeObject[]> {
  const list = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: ns });
  return list.items.filter((e) => (e.regarding as { kind?: string } | undefined)?.kind === "Kustomization");
}

test("deletion: prune removes the inventory's objects; deletionPolicy Orphan keeps them", async () => {
  const h = await startAgent(cluster, "ks-delete", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-delete")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      { "app/kustomization.yaml": kustomizationYaml("a.yaml"), "app/a.yaml": configMapYaml("a", "1") },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "del", { path: "./app", targetNamespace: h.namespace }));
    await apply(
      kustomization(h.namespace, "orphan", {
        path: "./app",
        targetNamespace: h.namespace,
        nameSuffix: "-orphan",
        deletionPolicy: "Orphan",
      }),
    );
    await waitForKs(kube, h.namespace, "del", (st) => cond(st).status === "True", signal);
    await waitForKs(kube, h.namespace, "orphan", (st) => cond(st).status === "True", signal);
    for (const name of ["del", "orphan"]) {
      await deleteObject(
        kube,
        {
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          metadata: { name, namespace: h.namespace },
        },
        { signal },
      );
    }
    for (const name of ["del", "orphan"]) {
      await waitForObject(
        kube,
        { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: h.namespace, name },
        (o) => o === undefined,
        signal,
      );
    }
    assert.equal(await get(cm(h.namespace, "a")), undefined, "pruned on deletion");
    assert.ok(await get(cm(h.namespace, "a-orphan")), "orphaned on deletion");
    const evs = await events(h.namespace);
    assert.ok(
      evs.some((e) => String(e.note) === `ConfigMap/${h.namespace}/a deleted`),
      "deletion change set event",
    );
  } finally {
    await h.stop();
  }
});
test("deletionPolicy WaitForTermination deletes the objects and waits until they are gone", async () => {
  const h = await startAgent(cluster, "ks-wait-del", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-wait-del")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      { "app/kustomization.yaml": kustomizationYaml("a.yaml"), "app/a.yaml": configMapYaml("a", "v") },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(
      kustomization(h.namespace, "app", {
        path: "./app",
        targetNamespace: h.namespace,
        prune: false,
        deletionPolicy: "WaitForTermination",
      }),
    );
    await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "True", signal);
    const header = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "app", namespace: h.namespace },
    };
    await deleteObject(kube, header, { signal });
    await waitForObject(
      kube,
      { apiVersion: header.apiVersion, kind: header.kind, namespace: h.namespace, name: "app" },
      (o) => o === undefined,
      signal,
    );
    const left = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: h.namespace } },
      { signal },
    );
    assert.equal(left, undefined, "deleted despite prune: false (the policy wins)");
  } finally {
    await h.stop();
  }
});

test("a Namespace and the objects in it are applied in stages and deleted with the Kustomization", async () => {
  const h = await startAgent(cluster, "ks-stages", signal);
  const ns = `${h.namespace}-app`;
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-stages")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("ns.yaml", "cm.yaml"),
        "app/ns.yaml": stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }),
        "app/cm.yaml": stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "inside", namespace: ns },
          data: { k: "v" },
        }),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app" }));
    const s = await waitForKs(kube, h.namespace, "app", (st) => cond(st).status === "True", signal);
    assert.deepEqual(
      s.inventory?.entries.map((e) => e.id),
      [`_${ns}__Namespace`, `${ns}_inside__ConfigMap`],
    );
    const header = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "app", namespace: h.namespace },
    };
    await deleteObject(kube, header, { signal });
    await waitForObject(
      kube,
      { apiVersion: "v1", kind: "Namespace", namespace: "", name: ns },
      (o) => o === undefined || !!o.metadata.deletionTimestamp,
      signal,
    );
  } finally {
    await deleteObject(
      kube,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      { signal },
    ).catch(() => {});
    await h.stop();
  }
});
