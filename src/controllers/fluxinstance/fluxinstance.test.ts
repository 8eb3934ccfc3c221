/**
 * The FluxInstance and FluxReport controllers in a running agent, against the real local cluster and the
 * real registry: the sync objects generated, patched and reconciled end to end (OCIRepository → Kustomization
 * → the fleet's objects), a ref change, the report, deletion; invalid instances.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  KubeClient,
  type KubeObject,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { pushFiles } from "../ocirepository/testing.ts";
import { FERRY_VERSION } from "./status.ts";
import { condOf, FI, fluxInstance, KS, OCI, startAgent, waitForObject } from "./testing.ts";

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
const cm = (ns: string, name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  k: v\n`;
const ready = (o: KubeObject | undefined) => condOf(o, "Ready")?.status === "True";

test("spec.sync generates, patches and owns the sync objects; Ready follows the Kustomization; a ref change updates them; the report counts; deletion keeps the workloads", async () => {
  const h = await startAgent(cluster, "fi-sync", signal);
  const ns = h.namespace;
  try {
    const repo = `${regs.open}/${uniqueRepo("fi-fleet")}`;
    await pushFiles(oci, `${repo}:v1`, { "clusters/test/app.yaml": cm(ns, "app-v1") }, signal);
    await pushFiles(oci, `${repo}:v2`, { "clusters/test/app.yaml": cm(ns, "app-v2") }, signal);
    await apply(
      fluxInstance(ns, {
        components: ["source-controller", "kustomize-controller"],
        cluster: { type: "kubernetes", networkPolicy: true },
        sync: { kind: "OCIRepository", url: `oci://${repo}`, ref: "v1", path: "clusters/test" },
        kustomize: {
          patches: [
            {
              target: { kind: "OCIRepository", name: ns },
              patch: "- op: add\n  path: /spec/timeout\n  value: 45s\n",
            },
            {
              target: { kind: "Kustomization" },
              patch: `apiVersion: ${KS}\nkind: Kustomization\nmetadata:\n  name: any\nspec:\n  timeout: 2m\n`,
            },
          ],
        },
      }),
    );
    const fi = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      ready,
      signal,
    );
    const status = fi?.status as {
      lastAppliedRevision?: string;
      lastAttemptedRevision?: string;
      inventory?: { entries: Array<{ id: string; v: string }> };
    };
    assert.match(condOf(fi, "Ready")?.message ?? "", /^Reconciliation finished in /);
    assert.equal(condOf(fi, "Ready")?.reason, "ReconciliationSucceeded");
    assert.match(
      status.lastAppliedRevision ?? "",
      new RegExp(`^v${FERRY_VERSION.replaceAll(".", "\\.")}@sha256:[0-9a-f]{64}$`),
    );
    assert.equal(status.lastAttemptedRevision, status.lastAppliedRevision);
    assert.deepEqual(
      status.inventory?.entries.map((e) => e.id),
      [
        `${ns}_${ns}_kustomize.toolkit.fluxcd.io_Kustomization`,
        `${ns}_${ns}_source.toolkit.fluxcd.io_OCIRepository`,
      ].sort(),
    );
    const compat = condOf(fi, "FerryCompatible");
    assert.equal(compat?.status, "False");
    assert.equal(compat?.reason, "FieldsNotApplicable");
    assert.match(
      compat?.message ?? "",
      /^spec\.distribution, spec\.components, spec\.cluster\.networkPolicy, spec\.cluster\.type install or tune Flux's own controllers/,
    );
    assert.deepEqual(fi?.metadata.finalizers, ["fluxcd.controlplane.io/finalizer"]);

    const src = await getObject(
      kube,
      { apiVersion: OCI, kind: "OCIRepository", metadata: { name: ns, namespace: ns } },
      { signal },
    );
    assert.deepEqual(src?.spec, {
      interval: "1m0s",
      ref: { tag: "v1" },
      url: `oci://${repo}`,
      timeout: "45s",
    });
    assert.equal(src?.metadata.labels?.["fluxcd.controlplane.io/name"], "flux");
    assert.equal(src?.metadata.labels?.["fluxcd.controlplane.io/namespace"], ns);
    assert.equal(src?.metadata.labels?.["app.kubernetes.io/managed-by"], "flux-operator");
    assert.ok(src?.metadata.managedFields?.some((f) => f.manager === "flux-operator"));
    assert.ok(ready(src), `the OCIRepository is Ready: ${JSON.stringify(src?.status)}`);
    const ks = await getObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", metadata: { name: ns, namespace: ns } },
      { signal },
    );
    const ksSpec = ks?.spec as Record<string, unknown>;
    assert.equal(ksSpec.interval, "10m0s");
    assert.equal(ksSpec.path, "clusters/test");
    assert.equal(ksSpec.prune, true);
    assert.equal(ksSpec.timeout, "2m");
    assert.deepEqual(ksSpec.sourceRef, { kind: "OCIRepository", name: ns });
    assert.ok(ready(ks), "the Kustomization is Ready");
    assert.ok(
      await getObject(
        kube,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-v1", namespace: ns } },
        { signal },
      ),
    );

    // The report: the sync and the counts.
    const report = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxReport", name: "flux", namespace: ns },
      (o) => (o?.spec as { sync?: { ready?: boolean } } | undefined)?.sync?.ready === true,
      signal,
    );
    const rspec = report?.spec as {
      distribution: Record<string, string>;
      reconcilers: Array<{ kind: string; stats: { running: number; failing: number; suspended: number } }>;
      sync: Record<string, unknown>;
    };
    assert.deepEqual(rspec.distribution, {
      entitlement: "Not required",
      status: "Installed",
      version: `v${FERRY_VERSION}`,
      managedBy: "ferry-agent",
    });
    const info = ((report?.spec ?? {}) as { cluster?: { serverVersion?: string; platform?: string } })
      .cluster;
    assert.match(info?.serverVersion ?? "", /^v1\.\d+/);
    assert.match(info?.platform ?? "", /^[a-z]+\/[a-z0-9]+$/);
    assert.equal(rspec.sync.id, `kustomization/${ns}`);
    assert.equal(rspec.sync.path, "clusters/test");
    assert.equal(rspec.sync.source, `oci://${repo}`);
    const stats = Object.fromEntries(rspec.reconcilers.map((r) => [r.kind, r.stats]));
    assert.deepEqual(stats.Kustomization, { running: 1, failing: 0, suspended: 0 });
    assert.equal(stats.OCIRepository?.running, 1);
    assert.equal(condOf(report, "Ready")?.status, "True");

    // A ref change reaches the OCIRepository, the Kustomization applies v2 and prunes v1.
    const before = status.lastAppliedRevision;
    await mergePatchObject(kube, fi as KubeObject, { spec: { sync: { ref: "v2" } } }, { signal });
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) =>
        ready(o) && ((o?.status ?? {}) as { lastAppliedRevision?: string }).lastAppliedRevision !== before,
      signal,
    );
    const src2 = await getObject(
      kube,
      { apiVersion: OCI, kind: "OCIRepository", metadata: { name: ns, namespace: ns } },
      { signal },
    );
    assert.deepEqual(((src2?.spec ?? {}) as { ref?: unknown }).ref, { tag: "v2" });
    await waitForObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", name: "app-v2", namespace: ns },
      (o) => !!o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", name: "app-v1", namespace: ns },
      (o) => !o,
      signal,
    );

    // Deletion removes what the instance created and, as flux-operator's uninstall, leaves the workloads:
    // the sync Kustomization is orphaned before it goes.
    await deleteObject(kube, fi as KubeObject, { signal });
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => !o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: OCI, kind: "OCIRepository", name: ns, namespace: ns },
      (o) => !o,
      signal,
    );
    await waitForObject(
      kube,
      { apiVersion: KS, kind: "Kustomization", name: ns, namespace: ns },
      (o) => !o,
      signal,
    );
    assert.ok(
      await getObject(
        kube,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-v2", namespace: ns } },
        { signal },
      ),
      "the fleet's objects stay",
    );
  } finally {
    await h.stop();
  }
});

test("multitenant reaches the agent's settings; a wrong name or an unserved sync kind stalls without touching the cluster", async () => {
  const h = await startAgent(cluster, "fi-invalid", signal);
  const ns = h.namespace;
  try {
    await apply(
      fluxInstance(ns, { cluster: { multitenant: true, tenantDefaultServiceAccount: "flux" }, wait: false }),
    );
    const fi = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      ready,
      signal,
    );
    assert.deepEqual(fi?.status && (fi.status as { inventory?: unknown }).inventory, { entries: [] });
    assert.deepEqual(h.agent.settings.tenancy(), {
      noCrossNamespaceRefs: true,
      defaultServiceAccount: "flux",
      noRemoteBases: true,
    });

    await apply(fluxInstance(ns, {}, { name: "other" }));
    const other = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "other", namespace: ns },
      (o) => condOf(o, "Stalled")?.status === "True",
      signal,
    );
    assert.equal(condOf(other, "Stalled")?.reason, "InvalidName");
    assert.match(
      condOf(other, "Ready")?.message ?? "",
      /the only accepted name for a FluxInstance is 'flux'; rename it to flux/,
    );
    assert.equal(other?.metadata.finalizers, undefined);

    await mergePatchObject(
      kube,
      fi as KubeObject,
      {
        spec: {
          sync: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: "main", path: "x" },
        },
      },
      { signal },
    );
    const git = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => condOf(o, "Stalled")?.status === "True",
      signal,
    );
    assert.equal(condOf(git, "Ready")?.reason, "BuildFailed");
    assert.match(
      condOf(git, "Ready")?.message ?? "",
      /spec\.sync\.kind GitRepository is not served by Ferry/,
    );

    // A patch kustomize refuses stalls the build; nothing is applied.
    await mergePatchObject(
      kube,
      fi as KubeObject,
      {
        spec: {
          sync: { kind: "OCIRepository", url: "oci://127.0.0.1:1/none", ref: "latest", path: "x" },
          kustomize: {
            patches: [{ target: { kind: "OCIRepository" }, patch: "- op: remove\n  path: /spec/nothing\n" }],
          },
        },
      },
      { signal },
    );
    const bad = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => /spec\.kustomize\.patches could not be applied/.test(condOf(o, "Ready")?.message ?? ""),
      signal,
    );
    assert.equal(condOf(bad, "Stalled")?.reason, "BuildFailed");
    assert.equal(
      await getObject(
        kube,
        { apiVersion: OCI, kind: "OCIRepository", metadata: { name: ns, namespace: ns } },
        { signal },
      ),
      undefined,
    );

    // Deleting the instance lifts the lockdown it asked for.
    await deleteObject(kube, fi as KubeObject, { signal });
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => !o,
      signal,
    );
    assert.deepEqual(h.agent.settings.tenancy(), {
      noCrossNamespaceRefs: false,
      defaultServiceAccount: undefined,
      noRemoteBases: false,
    });
  } finally {
    await h.stop();
  }
});

test("a D2 verify patch on an unsigned artifact keeps the instance not Ready with the source's reason; requests are handled; reconcile: disabled deletes without pruning", async () => {
  const h = await startAgent(cluster, "fi-verify", signal);
  const ns = h.namespace;
  try {
    const repo = `${regs.open}/${uniqueRepo("fi-verify")}`;
    await pushFiles(oci, `${repo}:latest`, { "clusters/test/app.yaml": cm(ns, "app") }, signal);
    await apply(
      fluxInstance(
        ns,
        {
          sync: { kind: "OCIRepository", url: `oci://${repo}`, ref: "latest", path: "clusters/test" },
          kustomize: {
            patches: [
              {
                target: { kind: "OCIRepository", name: ns },
                patch:
                  "- op: add\n  path: /spec/verify\n  value:\n    provider: cosign\n    matchOIDCIdentity:\n    - issuer: ^https://token\\.actions\\.githubusercontent\\.com$\n      subject: ^https://github\\.com/acme/fleet/.*$\n",
              },
            ],
          },
        },
        { annotations: { "fluxcd.controlplane.io/reconcileTimeout": "3s" } },
      ),
    );
    const fi = await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      // Under load the first attempts may time out before the source reports; retries get there.
      (o) =>
        condOf(o, "Ready")?.status === "False" && /\(Ready=False: /.test(condOf(o, "Ready")?.message ?? ""),
      signal,
    );
    assert.equal(condOf(fi, "Ready")?.reason, "ReconciliationFailed");
    assert.match(
      condOf(fi, "Ready")?.message ?? "",
      new RegExp(`OCIRepository/${ns}/${ns} \\(Ready=False: `),
    );
    assert.equal(condOf(fi, "Reconciling")?.reason, "ProgressingWithRetry");
    const src = await getObject(
      kube,
      { apiVersion: OCI, kind: "OCIRepository", metadata: { name: ns, namespace: ns } },
      { signal },
    );
    assert.equal(((src?.spec ?? {}) as { verify?: { provider?: string } }).verify?.provider, "cosign");
    assert.equal(condOf(src, "SourceVerified")?.status ?? condOf(src, "Ready")?.status, "False");

    // A generated object deleted behind the instance's back comes back.
    await deleteObject(kube, src as KubeObject, { signal });
    await waitForObject(
      kube,
      { apiVersion: OCI, kind: "OCIRepository", name: ns, namespace: ns },
      (o) => !!o && o.metadata.uid !== src?.metadata.uid && !o.metadata.deletionTimestamp,
      signal,
    );

    // reconcile.fluxcd.io/requestedAt is recorded as handled.
    const at = new Date().toISOString();
    await mergePatchObject(
      kube,
      fi as KubeObject,
      { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": at } } },
      { signal },
    );
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => (o?.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt === at,
      signal,
    );

    // Disabled: deletion releases the finalizer and leaves the sync objects in place.
    await mergePatchObject(
      kube,
      fi as KubeObject,
      { metadata: { annotations: { "fluxcd.controlplane.io/reconcile": "disabled" } } },
      { signal },
    );
    await deleteObject(kube, fi as KubeObject, { signal });
    await waitForObject(
      kube,
      { apiVersion: FI, kind: "FluxInstance", name: "flux", namespace: ns },
      (o) => !o,
      signal,
    );
    assert.ok(
      await getObject(
        kube,
        { apiVersion: OCI, kind: "OCIRepository", metadata: { name: ns, namespace: ns } },
        { signal },
      ),
      "the OCIRepository stays",
    );
  } finally {
    await h.stop();
  }
});
