/**
 * Kustomization features against the real cluster and registry: dependsOn ordering, wait/health on
 * Deployments kwok makes ready and a health timeout, post-build substitution from a watched ConfigMap.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster, withWorkloads } from "../../dev/testing.ts";
import {
  applyObject,
  getObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { deployment } from "../../kube/testing.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { ociRepository, pushFiles } from "../ocirepository/testing.ts";
import { cond, kustomization, reconcileKs, startAgent, waitForKs, waitForObject } from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let oci: OciClient;
const signal = AbortSignal.timeout(540_000);
/** `${D}{VAR}` spells a post-build variable reference without a template-literal placeholder. */
const D = "$";

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
const deploymentYaml = (name: string, extra: Record<string, unknown> = {}) => {
  const d = deployment("x", name, extra);
  delete d.metadata.namespace;
  return stringify(d);
};

async function source(ns: string, prefix: string, files: Record<string, string>): Promise<string> {
  const repo = `${regs.open}/${uniqueRepo(prefix)}`;
  const digest = await pushFiles(oci, `${repo}:latest`, files, signal);
  await apply(ociRepository(ns, "src", { url: `oci://${repo}`, ref: { tag: "latest" } }));
  return `latest@${digest}`;
}

test("dependsOn: the dependent waits for its dependency's Ready at the same revision, then applies", async () => {
  const h = await startAgent(cluster, "ks-deps", signal);
  try {
    const rev = await source(h.namespace, "ks-deps", {
      "infra/kustomization.yaml": kustomizationYaml("a.yaml"),
      "infra/a.yaml": configMapYaml("infra", { k: "v" }),
      "apps/kustomization.yaml": kustomizationYaml("b.yaml"),
      "apps/b.yaml": configMapYaml("apps", { k: "v" }),
    });
    // The dependency starts suspended: the dependent must report DependencyNotReady and apply nothing.
    await apply(
      kustomization(h.namespace, "apps", {
        path: "./apps",
        targetNamespace: h.namespace,
        dependsOn: [{ name: "infra" }],
      }),
    );
    await apply(
      kustomization(h.namespace, "infra", { path: "./infra", targetNamespace: h.namespace, suspend: true }),
    );
    const blocked = await waitForKs(
      kube,
      h.namespace,
      "apps",
      (s) => cond(s).reason === "DependencyNotReady",
      signal,
    );
    assert.equal(cond(blocked).status, "False");
    assert.equal(cond(blocked).message, `dependency '${h.namespace}/infra' is not ready`);
    assert.equal(await get("v1", "ConfigMap", h.namespace, "apps"), undefined);
    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(
      events.items.some(
        (e) =>
          e.note === "Dependencies do not meet ready condition, retrying in 30s" &&
          e.reason === "DependencyNotReady",
      ),
      "dependency event",
    );

    // Resuming the dependency: it becomes Ready, which re-enqueues the dependent without waiting 30 s.
    await mergePatchObject(
      kube,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "infra", namespace: h.namespace },
      },
      { spec: { suspend: false } },
      { signal },
    );
    const infra = await waitForKs(kube, h.namespace, "infra", (s) => cond(s).status === "True", signal);
    const apps = await waitForKs(kube, h.namespace, "apps", (s) => cond(s).status === "True", signal, 20_000);
    assert.equal(infra.lastAppliedRevision, rev);
    assert.equal(apps.lastAppliedRevision, rev);
    const infraCm = await get("v1", "ConfigMap", h.namespace, "infra");
    const appsCm = await get("v1", "ConfigMap", h.namespace, "apps");
    assert.ok(infraCm && appsCm);
    assert.ok(
      Date.parse(infraCm.metadata.creationTimestamp as string) <=
        Date.parse(appsCm.metadata.creationTimestamp as string),
      "dependency applied first",
    );

    // readyExpr replaces the built-in rule: here a label on the dependency opens the gate.
    await apply(
      kustomization(h.namespace, "gated", {
        path: "./apps",
        targetNamespace: h.namespace,
        nameSuffix: "-gated",
        dependsOn: [
          { name: "infra", readyExpr: "has(dep.metadata.labels) && dep.metadata.labels.gate == 'open'" },
        ],
      }),
    );
    const closed = await waitForKs(
      kube,
      h.namespace,
      "gated",
      (s) => cond(s).reason === "DependencyNotReady",
      signal,
    );
    assert.equal(
      cond(closed).message,
      `dependency '${h.namespace}/infra' is not ready according to readyExpr eval`,
    );
    await mergePatchObject(
      kube,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "infra", namespace: h.namespace },
      },
      { metadata: { labels: { gate: "open" } } },
      { signal },
    );
    const at = await reconcileKs(kube, h.namespace, "gated", signal);
    const open = await waitForKs(kube, h.namespace, "gated", (s) => s.lastHandledReconcileAt === at, signal);
    assert.equal(cond(open).status, "True");
    assert.ok(await get("v1", "ConfigMap", h.namespace, "apps-gated"));
  } finally {
    await h.stop();
  }
});

test("wait: Ready once kwok makes the Deployments available; a Deployment that cannot schedule fails with HealthCheckFailed", async () => {
  const h = await startAgent(cluster, "ks-health", signal);
  try {
    await source(h.namespace, "ks-health", {
      "ok/kustomization.yaml": kustomizationYaml("d.yaml"),
      "ok/d.yaml": deploymentYaml("web"),
      "stuck/kustomization.yaml": kustomizationYaml("d.yaml"),
      "stuck/d.yaml": deploymentYaml("stuck", { nodeSelector: { "ferry.test/none": "true" } }),
    });
    await apply(
      kustomization(h.namespace, "ok", {
        path: "./ok",
        targetNamespace: h.namespace,
        wait: true,
        timeout: "90s",
      }),
    );
    await apply(
      kustomization(h.namespace, "stuck", {
        path: "./stuck",
        targetNamespace: h.namespace,
        healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "stuck" }],
        // One budget for build, dry-run and apply (the health check gets its own): room for a loaded machine.
        timeout: "8s",
        retryInterval: "1h",
      }),
    );
    const ok = await waitForKs(kube, h.namespace, "ok", (s) => cond(s).status === "True", signal).catch(
      async (err: unknown) => {
        throw await withWorkloads(cluster, h.namespace, err);
      },
    );
    assert.equal(cond(ok, "Healthy").status, "True");
    assert.match(cond(ok, "Healthy").message ?? "", /^Health check passed in /);
    const dep = await get("apps/v1", "Deployment", h.namespace, "web");
    assert.equal((dep?.status as { availableReplicas?: number } | undefined)?.availableReplicas, 1);

    const stuck = await waitForKs(
      kube,
      h.namespace,
      "stuck",
      (s) => cond(s).status === "False",
      signal,
    ).catch(async (err: unknown) => {
      throw await withWorkloads(cluster, h.namespace, err);
    });
    assert.equal(cond(stuck).reason, "HealthCheckFailed");
    assert.equal(cond(stuck, "Healthy").status, "False");
    assert.match(cond(stuck).message ?? "", new RegExp(`Deployment/${h.namespace}/stuck`));
    // The apply itself succeeded: the object is in the inventory, but the revision is not "applied".
    assert.deepEqual(
      stuck.inventory?.entries.map((e) => e.id),
      [`${h.namespace}_stuck_apps_Deployment`],
    );
    assert.equal(stuck.lastAppliedRevision, undefined);
    assert.equal(stuck.history?.[0]?.lastReconciledStatus, "HealthCheckFailed");
  } finally {
    await h.stop();
  }
});

test("postBuild: substitute and substituteFrom a watched ConfigMap; changing the ConfigMap re-applies", async () => {
  const h = await startAgent(cluster, "ks-vars", signal);
  try {
    await source(h.namespace, "ks-vars", {
      "app/kustomization.yaml": kustomizationYaml("a.yaml"),
      "app/a.yaml": configMapYaml("a", {
        cluster: `${D}{CLUSTER_NAME}`,
        env: `${D}{ENV:=dev}`,
        region: `${D}{REGION}`,
      }),
    });
    await apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "vars", namespace: h.namespace, labels: { "reconcile.fluxcd.io/watch": "Enabled" } },
      data: { CLUSTER_NAME: "prod-eu", ENV: "production" },
    });
    await apply(
      kustomization(h.namespace, "app", {
        path: "./app",
        targetNamespace: h.namespace,
        postBuild: {
          substitute: { REGION: "eu-west-1" },
          substituteFrom: [
            { kind: "ConfigMap", name: "vars" },
            { kind: "Secret", name: "absent", optional: true },
          ],
        },
      }),
    );
    await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "True", signal);
    const a = await get("v1", "ConfigMap", h.namespace, "a");
    assert.deepEqual(a?.data, { cluster: "prod-eu", env: "production", region: "eu-west-1" });

    // The watch label: a data change re-enqueues the Kustomization without a requested reconcile.
    await mergePatchObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "vars", namespace: h.namespace } },
      { data: { CLUSTER_NAME: "prod-us" } },
      { signal },
    );
    await waitForObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", namespace: h.namespace, name: "a" },
      (o) => (o?.data as Record<string, string> | undefined)?.cluster === "prod-us",
      signal,
      30_000,
    );

    // A required source that is missing fails the build.
    await mergePatchObject(
      kube,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "app", namespace: h.namespace },
      },
      { spec: { postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "missing" }] } } },
      { signal },
    );
    const failed = await waitForKs(kube, h.namespace, "app", (s) => cond(s).status === "False", signal);
    assert.equal(cond(failed).reason, "BuildFailed");
    assert.match(cond(failed).message ?? "", /substitute from 'ConfigMap\/missing' failed/);
  } finally {
    await h.stop();
  }
});

test("watch label: a labelled substituteFrom source re-applies at once; an unlabelled one waits for the next reconcile", async () => {
  // One worker: the queue is first in, first out, so once the labelled source's Kustomization has
  // re-applied, a reconcile the unlabelled change would have queued before it has run too.
  const h = await startAgent(cluster, "ks-watch", signal, { concurrency: 1 });
  const ns = h.namespace;
  const vars = (name: string, v: string, labels?: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    data: { V: v },
  });
  const watched = { "reconcile.fluxcd.io/watch": "Enabled" };
  const substituting = (name: string, from: string) =>
    kustomization(ns, name, {
      path: "./app",
      targetNamespace: ns,
      nameSuffix: `-${name}`,
      postBuild: { substituteFrom: [{ kind: "ConfigMap", name: from }] },
    });
  const rendered = (name: string, v: string) =>
    waitForObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: `out-${name}` },
      (o) => (o?.data as Record<string, string> | undefined)?.v === v,
      signal,
      // Guards against a hang only: a loaded 2-core machine can take tens of seconds per reconcile.
      180_000,
    );
  try {
    // The source's one artifact event re-enqueues its consumers; it must be behind us before the two
    // Kustomizations exist (events of different kinds are not ordered). A probe created before the source
    // can only become Ready through that event.
    await apply(kustomization(ns, "probe", { path: "./app", targetNamespace: ns, nameSuffix: "-probe" }));
    await waitForKs(kube, ns, "probe", (s) => cond(s).reason === "ArtifactFailed", signal);
    await source(ns, "ks-watch", {
      "app/kustomization.yaml": kustomizationYaml("out.yaml"),
      "app/out.yaml": configMapYaml("out", { v: `${D}{V}` }),
    });
    await waitForKs(kube, ns, "probe", (s) => cond(s).status === "True", signal);
    await apply(vars("plain", "one"));
    await apply(vars("labelled", "one", watched));
    await apply(substituting("quiet", "plain"));
    await apply(substituting("eager", "labelled"));
    await rendered("quiet", "one");
    await rendered("eager", "one");

    await apply(vars("plain", "two"));
    await apply(vars("labelled", "two", watched));
    await rendered("eager", "two");
    const quiet = await get("v1", "ConfigMap", ns, "out-quiet");
    assert.deepEqual(quiet?.data, { v: "one" }, "an unlabelled source does not trigger its Kustomization");

    // The next reconcile (here a requested one) substitutes from the unlabelled source again.
    await reconcileKs(kube, ns, "quiet", signal);
    await rendered("quiet", "two");
  } finally {
    await h.stop();
  }
});
