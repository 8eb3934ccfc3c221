/**
 * HelmRelease features on the shared cluster: a release installed by the real `helm` CLI taken over by
 * Ferry (Ferry reads Helm's records and upgrades as revision 2); values from a Secret at a targetPath,
 * null deleting a chart default; targetNamespace with install.createNamespace and Flux's release naming
 * (long names hashed to 53 characters); postRenderers patches; drift detection correcting a hand edit;
 * dependsOn; a HelmChart source and a render failure reported in Ready.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  KubeClient,
  type KubeObject,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { findKustomize } from "../../render/index.ts";
import { requestReconcile, startAgent } from "../kustomization/testing.ts";
import { shortenName } from "./names.ts";
import {
  chartRepository,
  condition,
  HR,
  helmCli,
  helmRelease,
  isReady,
  packageAndPush,
  waitForHr,
  withoutBuild,
  writeChart,
} from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let tmp: string;
const signal = AbortSignal.timeout(540_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(kube, { signal });
  tmp = await mkdtemp(join(tmpdir(), "ferry-hr-features-"));
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const apply = (o: KubeObject) => applyObject(kube, o, { signal, fieldManager: "ferry-test", force: true });
const helm = (...args: string[]) => helmCli(cluster.kubeconfig, tmp, ...args);
const getCm = (namespace: string, name: string) =>
  getObject(kube, { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace, name } }, { signal });

const chartFiles = (version: string): Record<string, string> => ({
  "Chart.yaml": `apiVersion: v2\nname: app\nversion: ${version}\n`,
  "values.yaml": "color: blue\nsize: small\nsettings:\n  debug: false\n  level: 1\n",
  "templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
  labels:
    chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
data:
  color: {{ .Values.color | quote }}
  size: {{ .Values.size | default "none" | quote }}
  settings: {{ .Values.settings | toJson | quote }}
  namespace: {{ .Release.Namespace | quote }}
  upgrade: {{ .Release.IsUpgrade | quote }}
  revision: {{ .Release.Revision | quote }}
`,
});

async function pushApp(version: string, repo: string): Promise<void> {
  const dir = await writeChart(
    join(tmp, `app-${version}-${repo.replaceAll("/", "-")}`, "app"),
    chartFiles(version),
  );
  await packageAndPush(cluster.kubeconfig, tmp, dir, join(dir, ".."), `${regs.open}/${repo}`);
}

test("a release helm installed is taken over; values from a Secret at a targetPath; null deletes a default", async () => {
  const h = await startAgent(cluster, "hr-adopt", signal);
  try {
    const repo = uniqueRepo("app");
    await pushApp("1.0.0", repo);
    const tgz = join(tmp, `app-1.0.0-${repo.replaceAll("/", "-")}`, "app-1.0.0.tgz");
    await helm("install", "app", tgz, "-n", h.namespace, "--set", "color=green");
    assert.equal(JSON.parse(await helm("history", "app", "-n", h.namespace, "-o", "json")).length, 1);

    await apply(chartRepository(h.namespace, "app", `oci://${regs.open}/${repo}/app`, "1.0.0"));
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "app-secret", namespace: h.namespace },
      stringData: { level: "7", "values.yaml": "color: red\n" },
    });
    await apply(
      helmRelease(h.namespace, "app", {
        chartRef: { kind: "OCIRepository", name: "app" },
        valuesFrom: [
          { kind: "Secret", name: "app-secret" },
          { kind: "Secret", name: "app-secret", valuesKey: "level", targetPath: "settings.level" },
          { kind: "ConfigMap", name: "absent", optional: true },
        ],
        values: { size: null, settings: { debug: true } },
      }),
    );
    const s = await waitForHr(kube, h.namespace, "app", isReady, signal);
    const history = s.history as { version: number; status: string }[];
    assert.equal(history[0]?.version, 2);
    const cm = await getCm(h.namespace, "app-cm");
    assert.deepEqual((cm as { data?: unknown }).data, {
      color: "red",
      size: "none",
      settings: '{"debug":true,"level":7}',
      namespace: h.namespace,
      upgrade: "true",
      revision: "2",
    });
    const revs = JSON.parse(await helm("history", "app", "-n", h.namespace, "-o", "json")) as {
      status: string;
    }[];
    assert.deepEqual(
      revs.map((r) => r.status),
      ["superseded", "deployed"],
    );
    // And the helm CLI can upgrade what Ferry released.
    await helm("upgrade", "app", tgz, "-n", h.namespace, "--reuse-values", "--set", "color=purple");
    assert.equal(
      ((await getCm(h.namespace, "app-cm")) as unknown as { data: Record<string, string> }).data.color,
      "purple",
    );
  } finally {
    await deleteObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "app" } },
      { signal },
    ).catch(() => {});
    await h.stop();
  }
});

test("targetNamespace with createNamespace, long release names, postRenderers, drift detection, dependsOn", async () => {
  const h = await startAgent(cluster, "hr-feat", signal, {
    kustomize: findKustomize({ kustomize: toolPath("kustomize") }),
  });
  const target = `${h.namespace}-target`;
  try {
    const repo = uniqueRepo("app");
    await pushApp("1.0.0", repo);
    await apply(chartRepository(h.namespace, "app", `oci://${regs.open}/${repo}/app`, "1.0.0"));
    const longName = "a-helmrelease-name-long-enough-to-need-hashing";
    await apply(
      helmRelease(h.namespace, longName, {
        chartRef: { kind: "OCIRepository", name: "app" },
        targetNamespace: target,
        install: { createNamespace: true },
        driftDetection: { mode: "enabled" },
        postRenderers: [
          {
            kustomize: {
              patches: [
                {
                  target: { kind: "ConfigMap" },
                  patch: '[{"op": "add", "path": "/metadata/annotations/patched", "value": "yes"}]',
                },
              ],
            },
          },
        ],
      }),
    );
    await apply(
      helmRelease(h.namespace, "second", {
        chartRef: { kind: "OCIRepository", name: "app" },
        dependsOn: [{ name: longName }],
        values: { color: "black" },
      }),
    );
    const s = await waitForHr(kube, h.namespace, longName, isReady, signal);
    const releaseName = shortenName(`${target}-${longName}`);
    assert.equal(releaseName.length, 53);
    assert.equal((s.history as { name: string }[])[0]?.name, releaseName);
    const cm = await getCm(target, `${releaseName}-cm`);
    assert.equal(cm?.metadata.annotations?.patched, "yes");
    assert.equal((cm as unknown as { data: Record<string, string> }).data.namespace, target);
    await waitForHr(kube, h.namespace, "second", isReady, signal);

    // A hand edit is drift: the next reconcile puts the chart's value back.
    await mergePatchObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: target, name: `${releaseName}-cm` } },
      { data: { color: "hand-edited" } },
      { signal },
    );
    await requestReconcile(
      kube,
      { apiVersion: HR, kind: "HelmRelease", namespace: h.namespace, name: longName },
      signal,
    );
    const until = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
    for (;;) {
      const now = (await getCm(target, `${releaseName}-cm`)) as unknown as { data: Record<string, string> };
      if (now.data.color === "blue") break;
      if (until.aborted) throw new Error(`drift not corrected: ${JSON.stringify(now.data)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const name of ["second", "a-helmrelease-name-long-enough-to-need-hashing"]) {
      await deleteObject(
        kube,
        { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name } },
        { signal },
      ).catch(() => {});
    }
    await h.stop();
    await deleteObject(
      kube,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: target } },
      { signal },
    ).catch(() => {});
  }
});

test("a HelmChart source is refused; a render failure, an account without RBAC and suspend are reported or honoured", async () => {
  const h = await startAgent(cluster, "hr-fail", signal);
  try {
    await apply(
      helmRelease(h.namespace, "legacy", {
        chart: { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" } } },
      }),
    );
    const s = await waitForHr(
      kube,
      h.namespace,
      "legacy",
      (st) => condition(st, "Stalled").status === "True",
      signal,
    );
    assert.equal(condition(s, "Ready").reason, "InvalidChartReference");
    assert.match(
      condition(s, "Ready").message ?? "",
      /not supported by Ferry yet; publish the chart to an OCI registry/,
    );

    const repo = uniqueRepo("bad");
    const dir = await writeChart(join(tmp, "bad", "bad"), {
      "Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
      "templates/cm.yaml": '{{ required "image.tag is required" .Values.image }}\n',
    });
    await packageAndPush(cluster.kubeconfig, tmp, dir, join(dir, ".."), `${regs.open}/${repo}`);
    await apply(chartRepository(h.namespace, "bad", `oci://${regs.open}/${repo}/bad`, "0.1.0"));
    await apply(helmRelease(h.namespace, "bad", { chartRef: { kind: "OCIRepository", name: "bad" } }));
    const b = await waitForHr(
      kube,
      h.namespace,
      "bad",
      (st) => condition(st, "Ready").reason === "RenderFailed",
      signal,
    );
    assert.match(
      condition(b, "Ready").message ?? "",
      /execution error at \(bad\/templates\/cm\.yaml:1:3\): image\.tag is required/,
    );

    // Impersonation: an account without RBAC cannot even read the release records.
    await apply({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "nobody", namespace: h.namespace },
    });
    await apply(
      helmRelease(h.namespace, "as-nobody", {
        chartRef: { kind: "OCIRepository", name: "bad" },
        serviceAccountName: "nobody",
      }),
    );
    const n = await waitForHr(
      kube,
      h.namespace,
      "as-nobody",
      (st) => condition(st, "Ready").reason === "GetLastReleaseFailed",
      signal,
    );
    assert.match(condition(n, "Ready").message ?? "", /forbidden/i);
    assert.match(condition(n, "Ready").message ?? "", /system:serviceaccount:[^:]+:nobody/);

    // A values source that does not exist (and is not optional) is a ValuesError, retried.
    await apply(
      helmRelease(h.namespace, "no-values", {
        chartRef: { kind: "OCIRepository", name: "bad" },
        valuesFrom: [{ kind: "ConfigMap", name: "absent" }],
      }),
    );
    const v = await waitForHr(
      kube,
      h.namespace,
      "no-values",
      (st) => condition(st, "Ready").reason === "ValuesError",
      signal,
    );
    assert.match(
      condition(v, "Ready").message ?? "",
      new RegExp(
        `could not find ConfigMap/${h.namespace}/absent; create it or mark the valuesFrom entry optional`,
      ),
    );
    assert.notEqual(condition(v, "Stalled").status, "True");

    // Suspended: the finalizer is added, nothing is released.
    await apply(
      helmRelease(h.namespace, "paused", { chartRef: { kind: "OCIRepository", name: "bad" }, suspend: true }),
    );
    const until = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
    for (;;) {
      const o = await getObject(
        kube,
        { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "paused" } },
        { signal },
      );
      if (o?.metadata.finalizers?.includes("finalizers.fluxcd.io")) {
        assert.equal(o.status, undefined);
        break;
      }
      if (until.aborted) throw new Error("the suspended HelmRelease was never reconciled");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    for (const name of ["legacy", "bad", "as-nobody", "paused", "no-values"]) {
      await deleteObject(
        kube,
        { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name } },
        { signal },
      ).catch(() => {});
    }
    await h.stop();
  }
});

test("a failed upgrade is rolled back, retried, then stalls with the last good revision deployed", async () => {
  const h = await startAgent(cluster, "hr-remediate", signal);
  try {
    const repo = uniqueRepo("flaky");
    await pushApp("1.0.0", repo);
    // 2.0.0 renders a ConfigMap the API server refuses (a data value that is not a string).
    const dir = await writeChart(join(tmp, "flaky-2", "app"), {
      ...chartFiles("2.0.0"),
      "templates/bad.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  list: [1, 2]\n",
    });
    await packageAndPush(cluster.kubeconfig, tmp, dir, join(dir, ".."), `${regs.open}/${repo}`);
    await apply(chartRepository(h.namespace, "app", `oci://${regs.open}/${repo}/app`, "1.0.0"));
    await apply(
      helmRelease(h.namespace, "app", {
        chartRef: { kind: "OCIRepository", name: "app" },
        upgrade: { remediation: { retries: 1 } },
      }),
    );
    await waitForHr(kube, h.namespace, "app", isReady, signal);
    await mergePatchObject(
      kube,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: { namespace: h.namespace, name: "app" },
      },
      { spec: { ref: { tag: "2.0.0" } } },
      { signal },
    );
    const s = await waitForHr(
      kube,
      h.namespace,
      "app",
      (st) => condition(st, "Stalled").status === "True",
      signal,
    );
    assert.equal(condition(s, "Ready").reason, "UpgradeFailed");
    assert.equal(s.upgradeFailures, 2);
    assert.equal(condition(s, "Remediated").reason, "RollbackSucceeded");
    const revs = JSON.parse(await helm("history", "app", "-n", h.namespace, "-o", "json")) as {
      revision: number;
      status: string;
      chart: string;
      description: string;
    }[];
    assert.deepEqual(
      revs.map((r) => [r.revision, r.status, withoutBuild(r.chart)]),
      [
        [1, "superseded", "app-1.0.0"],
        [2, "failed", "app-2.0.0"],
        [3, "superseded", "app-1.0.0"],
        [4, "failed", "app-2.0.0"],
        [5, "deployed", "app-1.0.0"],
      ],
    );
    assert.equal(revs[4]?.description, "Rollback to 3");
    assert.equal(
      ((await getCm(h.namespace, "app-cm")) as unknown as { data: Record<string, string> }).data.revision,
      "1",
    );
  } finally {
    await deleteObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "app" } },
      { signal },
    ).catch(() => {});
    await h.stop();
  }
});

test("test hooks run when spec.test.enable: TestSuccess True, or False with Ready False when a test does not pass", async () => {
  const h = await startAgent(cluster, "hr-tests", signal);
  try {
    const repo = uniqueRepo("tested");
    const dir = await writeChart(join(tmp, "tested", "app"), {
      ...chartFiles("1.0.0"),
      "templates/tests.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-test-job
  annotations: {helm.sh/hook: test}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: t, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test-pod
  annotations: {helm.sh/hook: test, helm.sh/hook-delete-policy: hook-failed}
spec:
  restartPolicy: Never
  containers: [{name: t, image: busybox}]
`,
    });
    await packageAndPush(cluster.kubeconfig, tmp, dir, join(dir, ".."), `${regs.open}/${repo}`);
    await apply(chartRepository(h.namespace, "app", `oci://${regs.open}/${repo}/app`, "1.0.0"));
    await apply(
      helmRelease(h.namespace, "good", {
        chartRef: { kind: "OCIRepository", name: "app" },
        test: { enable: true, filters: [{ name: "good-test-pod", exclude: true }] },
      }),
    );
    // A Pod test must reach Succeeded; kwok's Pods keep running, so this one times out.
    await apply(
      helmRelease(h.namespace, "bad", {
        chartRef: { kind: "OCIRepository", name: "app" },
        test: { enable: true, timeout: "2s" },
      }),
    );
    const good = await waitForHr(kube, h.namespace, "good", isReady, signal);
    assert.equal(condition(good, "TestSuccess").status, "True");
    assert.match(condition(good, "TestSuccess").message ?? "", /with 1 test hook/);
    const bad = await waitForHr(
      kube,
      h.namespace,
      "bad",
      (s) => condition(s, "TestSuccess").status === "False",
      signal,
    );
    assert.equal(condition(bad, "Ready").status, "False");
    assert.equal(condition(bad, "Ready").reason, "TestFailed");
    assert.equal(condition(bad, "Released").status, "True");
    assert.match(
      condition(bad, "TestSuccess").message ?? "",
      /test hook Pod\/bad-test-pod .* did not succeed in time/,
    );
    // The hook-failed policy removed the failed test Pod.
    const pod = await getObject(
      kube,
      { apiVersion: "v1", kind: "Pod", metadata: { namespace: h.namespace, name: "bad-test-pod" } },
      { signal },
    );
    assert.equal(pod, undefined);
  } finally {
    for (const name of ["good", "bad"]) {
      await deleteObject(
        kube,
        { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name } },
        { signal },
      ).catch(() => {});
    }
    await h.stop();
  }
});

test("a failed install with remediation retries is uninstalled, retried, then stalls", async () => {
  const h = await startAgent(cluster, "hr-install-fail", signal);
  try {
    const repo = uniqueRepo("broken");
    const dir = await writeChart(join(tmp, "broken", "app"), {
      ...chartFiles("1.0.0"),
      "templates/bad.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  list: [1, 2]\n",
    });
    await packageAndPush(cluster.kubeconfig, tmp, dir, join(dir, ".."), `${regs.open}/${repo}`);
    await apply(chartRepository(h.namespace, "app", `oci://${regs.open}/${repo}/app`, "1.0.0"));
    await apply(
      helmRelease(h.namespace, "app", {
        chartRef: { kind: "OCIRepository", name: "app" },
        install: { remediation: { retries: 1 } },
      }),
    );
    const s = await waitForHr(
      kube,
      h.namespace,
      "app",
      (st) => condition(st, "Stalled").status === "True",
      signal,
    );
    assert.equal(condition(s, "Ready").reason, "InstallFailed");
    assert.equal(s.installFailures, 2);
    assert.equal(condition(s, "Remediated").reason, "UninstallSucceeded");
    // Each failed install was uninstalled: no release records, no objects left.
    assert.deepEqual(JSON.parse(await helm("list", "-a", "-n", h.namespace, "-o", "json")), []);
    assert.equal(await getCm(h.namespace, "app-cm"), undefined);
  } finally {
    await deleteObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "app" } },
      { signal },
    ).catch(() => {});
    await h.stop();
  }
});
