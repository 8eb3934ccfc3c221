/**
 * Kustomization edge cases against the real cluster and registry: a missing source and a source without an
 * artifact (ArtifactFailed, picked up once the artifact exists), CEL health expressions (current, failed,
 * a syntax error that stalls), a new revision cancelling a health check that would otherwise run out its
 * timeout (or a spec change cancelling it), immutable fields with and without `force`, built objects
 * marked `reconcile: disabled`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  applyObject,
  getObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
} from "../../kube/index.ts";
import { deployment } from "../../kube/testing.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { ociRepository, pushFiles } from "../ocirepository/testing.ts";
import { cond, kustomization, reconcileSource, startAgent, waitForKs, waitForObject } from "./testing.ts";

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
const kustomizationYaml = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;
const configMapYaml = (name: string) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: "v" } });

test("a missing source, then a source without an artifact: ArtifactFailed; the artifact's arrival triggers the apply", async () => {
  const h = await startAgent(cluster, "ks-nosrc", signal);
  try {
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    const missing = await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "False", signal);
    assert.equal(cond(missing).reason, "ArtifactFailed");
    assert.equal(
      cond(missing).message,
      `Source 'OCIRepository/${h.namespace}/src' not found; create it or fix spec.sourceRef`,
    );
    const warnings = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.equal(
      warnings.items.filter((e) => e.type === "Warning").length,
      0,
      "a missing source is no Warning event (as Flux)",
    );

    // The source exists but its tag does not: no artifact yet.
    const repo = `${regs.open}/${uniqueRepo("ks-nosrc")}`;
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await waitForObject(
      kube,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        namespace: h.namespace,
        name: "src",
      },
      (o) =>
        (o?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.some(
          (c) => c.type === "Ready" && c.status === "False",
        ) === true,
      signal,
    );
    // The source's own status change does not re-enqueue consumers; its Kustomization still reports
    // the missing source until its retry, so ask for one explicitly.
    await apply({
      ...kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }),
      metadata: {
        name: "app",
        namespace: h.namespace,
        annotations: { "reconcile.fluxcd.io/requestedAt": "1" },
      },
    });
    const noArtifact = await waitForKs(
      kube,
      h.namespace,
      "app",
      (s) => s.lastHandledReconcileAt === "1" && cond(s).message?.startsWith("Source artifact") === true,
      signal,
    );
    assert.equal(cond(noArtifact).reason, "ArtifactFailed");
    assert.equal(cond(noArtifact).message, "Source artifact not found, retrying in 30s");

    // The artifact arrives: the source's new revision re-enqueues the Kustomization at once.
    const digest = await pushFiles(
      oci,
      `${repo}:latest`,
      { "app/kustomization.yaml": kustomizationYaml("a.yaml"), "app/a.yaml": configMapYaml("a") },
      signal,
    );
    await reconcileSource(kube, h.namespace, "src", signal);
    const ready = await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "True", signal, 20_000);
    assert.equal(ready.lastAppliedRevision, `latest@${digest}`);
  } finally {
    await h.stop();
  }
});

test("healthCheckExprs: current and failed expressions decide health; a syntax error stalls the object", async () => {
  const h = await startAgent(cluster, "ks-cel", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-cel")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "good/kustomization.yaml": kustomizationYaml("a.yaml"),
        "good/a.yaml": configMapYaml("good"),
        "bad/kustomization.yaml": kustomizationYaml("a.yaml"),
        "bad/a.yaml": configMapYaml("bad"),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    const exprs = [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        current: "metadata.name == 'good'",
        failed: "metadata.name == 'bad'",
      },
    ];
    await apply(
      kustomization(h.namespace, "good", {
        path: "./good",
        targetNamespace: h.namespace,
        wait: true,
        healthCheckExprs: exprs,
      }),
    );
    await apply(
      kustomization(h.namespace, "bad", {
        path: "./bad",
        targetNamespace: h.namespace,
        wait: true,
        healthCheckExprs: exprs,
        retryInterval: "1h",
      }),
    );
    await apply(
      kustomization(h.namespace, "typo", {
        path: "./good",
        targetNamespace: h.namespace,
        healthCheckExprs: [{ apiVersion: "v1", kind: "ConfigMap", current: "metadata.name ==" }],
      }),
    );
    const good = await waitForKs(kube, h.namespace, "good", (s) => cond(s).status === "True", signal);
    assert.equal(cond(good, "Healthy").status, "True");
    const bad = await waitForKs(kube, h.namespace, "bad", (s) => cond(s).status === "False", signal);
    assert.equal(cond(bad).reason, "HealthCheckFailed");
    assert.match(cond(bad).message ?? "", new RegExp(`ConfigMap/${h.namespace}/bad`));
    const typo = await waitForKs(
      kube,
      h.namespace,
      "typo",
      (s) => cond(s, "Stalled").status === "True",
      signal,
    );
    assert.equal(cond(typo).reason, "InvalidCELExpression");
    assert.equal(typo.observedGeneration, 1);
    assert.equal(typo.inventory, undefined, "nothing applied with an invalid expression");
  } finally {
    await h.stop();
  }
});

test("a new source revision cancels a running health check; the new revision is applied at once", async () => {
  const h = await startAgent(cluster, "ks-cancel", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-cancel")}`;
    const deploymentYaml = (extra: Record<string, unknown>) => {
      const d = deployment("x", "web", extra);
      delete d.metadata.namespace;
      return stringify(d);
    };
    const files = (extra: Record<string, unknown>) => ({
      "app/kustomization.yaml": kustomizationYaml("d.yaml"),
      "app/d.yaml": deploymentYaml(extra),
    });
    await pushFiles(oci, `${repo}:latest`, files({ nodeSelector: { "ferry.test/none": "true" } }), signal);
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(
      kustomization(h.namespace, "app", {
        path: "./app",
        targetNamespace: h.namespace,
        wait: true,
        timeout: "5m",
      }),
    );
    await waitForKs(kube, h.namespace, "app", (s) => cond(s, "Healthy").status === "Unknown", signal);

    const d2 = await pushFiles(oci, `${repo}:latest`, files({}), signal);
    await reconcileSource(kube, h.namespace, "src", signal);
    // Far sooner than the 5 minutes the first health check would have waited.
    const s = await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.lastAppliedRevision === `latest@${d2}`,
      signal,
      90_000,
    );
    assert.equal(cond(s).status, "True");
    assert.equal(cond(s, "Healthy").status, "True");
    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(
      events.items.some(
        (e) =>
          e.reason === "HealthCheckCanceled" &&
          e.note ===
            `Health checks canceled due to new reconciliation triggered by OCIRepository/${h.namespace}/src`,
      ),
      `cancellation event in ${JSON.stringify(events.items.map((e) => [e.reason, e.note]))}`,
    );
  } finally {
    await h.stop();
  }
});

test("immutable fields: a changed immutable ConfigMap fails without force and is recreated with force: true", async () => {
  const h = await startAgent(cluster, "ks-force", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-force")}`;
    const files = (v: string) => ({
      "app/kustomization.yaml": kustomizationYaml("a.yaml"),
      "app/a.yaml": stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "frozen" },
        immutable: true,
        data: { v },
      }),
    });
    await pushFiles(oci, `${repo}:latest`, files("1"), signal);
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "True", signal);
    const first = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "frozen", namespace: h.namespace } },
      { signal },
    );

    const d2 = await pushFiles(oci, `${repo}:latest`, files("2"), signal);
    await reconcileSource(kube, h.namespace, "src", signal);
    const failed = await waitForKs(
      kube,
      h.namespace,
      "app",
      (s) => s.lastAttemptedRevision === `latest@${d2}` && cond(s).status === "False",
      signal,
    );
    assert.equal(cond(failed).reason, "ReconciliationFailed");
    assert.match(cond(failed).message ?? "", /ConfigMap\/.*\/frozen/);

    await apply(
      kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace, force: true }),
    );
    const ok = await waitForKs(
      kube,
      h.namespace,
      "app",
      (s) => s.lastAppliedRevision === `latest@${d2}`,
      signal,
    );
    assert.equal(cond(ok).status, "True");
    const recreated = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "frozen", namespace: h.namespace } },
      { signal },
    );
    assert.deepEqual(recreated?.data, { v: "2" });
    assert.notEqual(recreated?.metadata.uid, first?.metadata.uid, "recreated, not updated");
  } finally {
    await h.stop();
  }
});

test("a spec change cancels a running health check too", async () => {
  const h = await startAgent(cluster, "ks-cancel-spec", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-cancel-spec")}`;
    const deploymentYaml = (extra: Record<string, unknown>) => {
      const d = deployment("x", "web", extra);
      delete d.metadata.namespace;
      return stringify(d);
    };
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "stuck/kustomization.yaml": kustomizationYaml("d.yaml"),
        "stuck/d.yaml": deploymentYaml({ nodeSelector: { "ferry.test/none": "true" } }),
        "good/kustomization.yaml": kustomizationYaml("d.yaml"),
        "good/d.yaml": deploymentYaml({}),
      },
      signal,
    );
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    const spec = { targetNamespace: h.namespace, wait: true, timeout: "5m" };
    await apply(kustomization(h.namespace, "app", { ...spec, path: "./stuck" }));
    await waitForKs(kube, h.namespace, "app", (s) => cond(s, "Healthy").status === "Unknown", signal);
    await apply(kustomization(h.namespace, "app", { ...spec, path: "./good" }));
    const s = await waitForKs(
      kube,
      h.namespace,
      "app",
      (st) => st.observedGeneration === 2 && cond(st).status === "True",
      signal,
      90_000,
    );
    assert.equal(cond(s, "Healthy").status, "True");
    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(
      events.items.some(
        (e) =>
          e.note ===
          `Health checks canceled due to new reconciliation triggered by Kustomization/${h.namespace}/app`,
      ),
      "cancellation event",
    );
  } finally {
    await h.stop();
  }
});

test("objects built with reconcile: disabled are not applied but stay in the inventory", async () => {
  const h = await startAgent(cluster, "ks-disabled", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("ks-disabled")}`;
    await pushFiles(
      oci,
      `${repo}:latest`,
      {
        "app/kustomization.yaml": kustomizationYaml("a.yaml", "b.yaml"),
        "app/a.yaml": stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "hands-off",
            annotations: { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" },
          },
          data: { v: "from-git" },
        }),
        "app/b.yaml": configMapYaml("managed"),
      },
      signal,
    );
    await apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "hands-off", namespace: h.namespace },
      data: { v: "by-hand" },
    });
    await apply(ociRepository(h.namespace, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
    await apply(kustomization(h.namespace, "app", { path: "./app", targetNamespace: h.namespace }));
    const s = await waitForKs(kube, h.namespace, "app", (st) => cond(st).status === "True", signal);
    assert.deepEqual(
      s.inventory?.entries.map((e) => e.id),
      [`${h.namespace}_hands-off__ConfigMap`, `${h.namespace}_managed__ConfigMap`],
    );
    const live = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hands-off", namespace: h.namespace } },
      { signal },
    );
    assert.deepEqual(live?.data, { v: "by-hand" });
    assert.equal(live?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], undefined, "never written");
  } finally {
    await h.stop();
  }
});
