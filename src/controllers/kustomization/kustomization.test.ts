/**
 * The Kustomization controller in a running agent, against the real local cluster and the real registry:
 * apply of a component overlay, new revisions (configured, pruned, prune: false), a failing build and a
 * failing dry-run (nothing applied, nothing pruned), drift correction, suspend.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
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
  mergePatchObject,
} from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { ociRepository, pushFiles } from "../ocirepository/testing.ts";
import {
  cond,
  kustomization,
  readTree,
  reconcileKs,
  reconcileSource,
  startAgent,
  waitForKs,
  waitForObject,
} from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let oci: OciClient;
const signal = AbortSignal.timeout(540_000);
const examples = join(import.meta.dirname, "../../../examples/components");

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

async function dataKey(ns: string, name: string): Promise<string | undefined> {
  return ((await get(cm(ns, name)))?.data as Record<string, string> | undefined)?.key;
}

async function events(ns: string): Promise<KubeObject[]> {
  const list = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: ns });
  return list.items.filter((e) => (e.regarding as { kind?: string } | undefined)?.kind === "Kustomization");
}

test("a component overlay becomes Ready with its inventory, owner labels and Flux's field manager", async () => {
  const h = await startAgent(cluster, "ks-overlay", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-overlay")}`;
    const files = await readTree(join(examples, "podinfo"), "components/podinfo");
    // A kustomize Component next to the overlay, enabled through spec.components.
    files["extras/settings/kustomization.yaml"] =
      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - cm.yaml\n";
    files["extras/settings/cm.yaml"] = configMapYaml("podinfo-settings", "on");
    const digest = await pushFiles(oci, `${repo}:latest`, files, signal);
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(
      kustomization(h.namespace, "podinfo", {
        path: "./components/podinfo/staging",
        targetNamespace: h.namespace,
        commonMetadata: { labels: { team: "web" } },
        images: [{ name: "ghcr.io/stefanprodan/podinfo", newTag: "6.9.3" }],
        components: ["../../../extras/settings"],
        patches: [
          {
            target: { kind: "Service", name: "podinfo" },
            patch: '- op: add\n  path: /metadata/annotations\n  value:\n    patched: "yes"\n',
          },
        ],
      }),
    );
    const s = await waitForKs(kube, h.namespace, "podinfo", (st) => cond(st).status === "True", signal);
    const revision = `latest@${digest}`;
    assert.equal(cond(s).reason, "ReconciliationSucceeded");
    assert.equal(cond(s).message, `Applied revision: ${revision}`);
    assert.equal(s.lastAppliedRevision, revision);
    assert.equal(s.lastAttemptedRevision, revision);
    assert.equal(s.observedGeneration, 1);
    assert.equal(s.history?.length, 1);
    assert.match(s.history?.[0]?.digest ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(s.history?.[0]?.lastReconciledStatus, "ReconciliationSucceeded");
    assert.deepEqual(s.history?.[0]?.metadata, {
      revision,
      originRevision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
    });
    assert.equal(s.lastAppliedOriginRevision, "main@sha1:0123456789abcdef0123456789abcdef01234567");
    assert.deepEqual(
      s.inventory?.entries.map((e) => `${e.id} ${e.v}`),
      [
        `${h.namespace}_podinfo-settings__ConfigMap v1`,
        `${h.namespace}_podinfo__Service v1`,
        `${h.namespace}_podinfo_apps_Deployment v1`,
      ],
    );
    const svc = await get({ apiVersion: "v1", kind: "Service", namespace: h.namespace, name: "podinfo" });
    assert.equal(svc?.metadata.annotations?.patched, "yes");
    assert.deepEqual(
      s.conditions?.map((c) => c.type),
      ["Ready"],
    );
    const deploy = await get({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: h.namespace,
      name: "podinfo",
    });
    const labels = deploy?.metadata.labels ?? {};
    assert.equal(labels["kustomize.toolkit.fluxcd.io/name"], "podinfo");
    assert.equal(labels["kustomize.toolkit.fluxcd.io/namespace"], h.namespace);
    assert.equal(labels.team, "web");
    assert.equal(labels["app.kubernetes.io/environment"], "staging");
    const containers =
      (deploy?.spec as { template: { spec: { containers: Array<{ image: string }> } } } | undefined)?.template
        .spec.containers ?? [];
    assert.equal(containers[0]?.image, "ghcr.io/stefanprodan/podinfo:6.9.3");
    assert.ok(
      deploy?.metadata.managedFields?.some(
        (f) => f.manager === "kustomize-controller" && f.operation === "Apply",
      ),
    );
    const ks = await get({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: h.namespace,
      name: "podinfo",
    });
    assert.deepEqual(ks?.metadata.finalizers, ["finalizers.fluxcd.io"]);
    const evs = await events(h.namespace);
    const created = evs.find(
      (e) => String(e.note).includes("Deployment/") && String(e.note).includes("created"),
    );
    assert.ok(created, "change set event");
    assert.equal(created?.reason, "Progressing");
    assert.equal(created?.metadata.annotations?.["kustomize.toolkit.fluxcd.io/revision"], revision);
    assert.ok(
      evs.some(
        (e) =>
          e.reason === "ReconciliationSucceeded" &&
          /^Reconciliation finished in .+, next run in 10m0s$/.test(String(e.note)),
      ),
      "finished event",
    );
    const finished = evs.find((e) => e.reason === "ReconciliationSucceeded");
    assert.equal(finished?.metadata.annotations?.["kustomize.toolkit.fluxcd.io/commit_status"], "update");
    assert.equal(
      finished?.metadata.annotations?.["kustomize.toolkit.fluxcd.io/originRevision"],
      "main@sha1:0123456789abcdef0123456789abcdef01234567",
    );
    assert.equal((evs[0]?.reportingController as string | undefined) ?? "", "kustomize-controller");
  } finally {
    await h.stop();
  }
});

test("a new revision configures changed objects and prunes removed ones; prune: false keeps them", async () => {
  const h = await startAgent(cluster, "ks-revs", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-revs")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml", "b.yaml"),
        "app/a.yaml": configMapYaml("a", "1"),
        "app/b.yaml": configMapYaml("b", "1"),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    await apply(
      kustomization(h.namespace, "keep", {
        path: "./app",
        targetNamespace: h.namespace,
        prune: false,
        nameSuffix: "-keep",
      }),
    );
    await waitForKs(kube, h.namespace, "app", (st) => cond(st).status === "True", signal);
    await waitForKs(kube, h.namespace, "keep", (st) => cond(st).status === "True", signal);

    const d2 = await pushFiles(
      oci,
      `${repo}:latest`,
      { "app/kustomization.yaml": kustomizationYaml("a.yaml"), "app/a.yaml": configMapYaml("a", "2") },
      signal,
    );
    // The source picks up the new tag on request; its new revision re-enqueues both consumers.
    await reconcileSource(kube, h.namespace, "src", signal);
    const s = await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.lastAppliedRevision === `latest@${d2}`,
      signal,
    );
    assert.deepEqual(
      s.inventory?.entries.map((e) => e.id),
      [`${h.namespace}_a__ConfigMap`],
    );
    assert.equal(await dataKey(h.namespace, "a"), "2");
    assert.equal(await get(cm(h.namespace, "b")), undefined);
    const evs = await events(h.namespace);
    assert.ok(
      evs.some((e) => String(e.note) === `ConfigMap/${h.namespace}/a configured`),
      "configured event",
    );
    assert.ok(
      evs.some((e) => String(e.note) === `ConfigMap/${h.namespace}/b deleted`),
      "deleted event",
    );

    const k = await waitForKs(
      kube,
      h.namespace,
      "keep",
      (st) => st.lastAppliedRevision === `latest@${d2}`,
      signal,
    );
    assert.deepEqual(
      k.inventory?.entries.map((e) => e.id),
      [`${h.namespace}_a-keep__ConfigMap`],
    );
    assert.ok(await get(cm(h.namespace, "b-keep")), "prune: false keeps the removed object");
  } finally {
    await h.stop();
  }
});

test("invalid YAML or a dry-run-invalid object fails the reconcile: nothing applied, nothing pruned, inventory kept", async () => {
  const h = await startAgent(cluster, "ks-fail", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-fail")}`;
    const d1 = await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml", "b.yaml"),
        "app/a.yaml": configMapYaml("a", "1"),
        "app/b.yaml": configMapYaml("b", "1"),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    const ok = await waitForKs(kube, h.namespace, "app", (st) => cond(st).status === "True", signal);

    // Broken YAML, and b removed: the build fails, so b must not be pruned and a must not change.
    const d2 = await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml"),
        "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\n  bad: [\n",
      },
      signal,
    );
    await reconcileSource(kube, h.namespace, "src", signal);
    const s2 = await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.lastAttemptedRevision === `latest@${d2}` && cond(st).status === "False",
      signal,
    );
    assert.equal(cond(s2).reason, "BuildFailed");
    assert.equal(s2.lastAppliedRevision, `latest@${d1}`);
    assert.deepEqual(s2.inventory, ok.inventory);
    assert.equal(cond(s2, "Reconciling").reason, "ProgressingWithRetry");
    assert.ok(await get(cm(h.namespace, "b")), "nothing pruned after a failed build");
    assert.equal(await dataKey(h.namespace, "a"), "1");
    const evs = await events(h.namespace);
    assert.ok(
      evs.some((e) => e.type === "Warning" && e.reason === "BuildFailed"),
      "BuildFailed warning event",
    );

    // A server-side invalid object (a ConfigMap with a non-string data value) fails the dry-run: a new
    // object in the same set must not be created, b must not be pruned.
    const d3 = await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml", "c.yaml"),
        "app/a.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  key:\n    nested: true\n",
        "app/c.yaml": configMapYaml("c", "1"),
      },
      signal,
    );
    await reconcileSource(kube, h.namespace, "src", signal);
    const s3 = await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.lastAttemptedRevision === `latest@${d3}` && cond(st).status === "False",
      signal,
    );
    assert.equal(cond(s3).reason, "ReconciliationFailed");
    assert.match(cond(s3).message ?? "", /ConfigMap\/.*\/a/);
    assert.deepEqual(s3.inventory, ok.inventory);
    assert.equal(await get(cm(h.namespace, "c")), undefined, "nothing applied after a failed dry-run");
    assert.ok(await get(cm(h.namespace, "b")), "nothing pruned after a failed dry-run");
  } finally {
    await h.stop();
  }
});

test("drift: an edited or deleted object is restored on the next reconcile; suspend stops that", async () => {
  const h = await startAgent(cluster, "ks-drift", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-drift")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml", "b.yaml"),
        "app/a.yaml": configMapYaml("a", "1"),
        "app/b.yaml": configMapYaml("b", "1"),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    await waitForKs(kube, h.namespace, "app", (st) => cond(st).status === "True", signal);

    await mergePatchObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: h.namespace } },
      { data: { key: "hand-edited" } },
      { signal },
    );
    await deleteObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: h.namespace } },
      { signal },
    );
    const at = await reconcileKs(kube, h.namespace, "app", signal);
    await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.lastHandledReconcileAt === at && cond(st).status === "True",
      signal,
    );
    assert.equal(await dataKey(h.namespace, "a"), "1");
    assert.ok(await get(cm(h.namespace, "b")), "deleted object recreated");
    const evs = await events(h.namespace);
    assert.ok(
      evs.some(
        (e) =>
          String(e.note).includes(`ConfigMap/${h.namespace}/a configured`) &&
          String(e.note).includes(`ConfigMap/${h.namespace}/b created`),
      ),
      "drift correction event",
    );

    // Suspended: a requested reconcile is acknowledged (lastHandledReconcileAt, as Flux) and does nothing.
    await mergePatchObject(
      kube,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "app", namespace: h.namespace },
      },
      { spec: { suspend: true } },
      { signal },
    );
    await mergePatchObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: h.namespace } },
      { data: { key: "edited-while-suspended" } },
      { signal },
    );
    const at2 = await reconcileKs(kube, h.namespace, "app", signal);
    const s = await waitForKs(kube, h.namespace, "app", (st) => st.lastHandledReconcileAt === at2, signal);
    assert.equal(await dataKey(h.namespace, "a"), "edited-while-suspended");
    assert.equal(cond(s).status, "True", "status otherwise untouched");
    // Resuming (a new generation) reconciles and restores the object.
    await mergePatchObject(
      kube,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "app", namespace: h.namespace },
      },
      { spec: { suspend: false } },
      { signal },
    );
    await waitForObject(
      kube,
      cm(h.namespace, "a"),
      (o) => (o?.data as Record<string, string> | undefined)?.key === "1",
      signal,
    );
  } finally {
    await h.stop();
  }
});
