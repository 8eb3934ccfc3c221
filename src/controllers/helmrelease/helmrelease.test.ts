/**
 * HelmRelease end to end on the shared cluster and registry: a chart packaged and pushed by the real
 * `helm` CLI (helm push, Helm's OCI media types), reconciled by Ferry's agent from an OCIRepository with
 * Helm's layer selector; `helm list`, `helm get values` and `helm history` against the cluster show the
 * release and its hooks' runs; a new chart version upgrades it; deleting the HelmRelease runs the
 * pre-delete hook and uninstalls it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
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
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { startAgent } from "../kustomization/testing.ts";
import { ociRepository } from "../ocirepository/testing.ts";
import { ociChartVersion, withoutBuild } from "./testing.ts";

const run = promisify(execFile);
const HR = "helm.toolkit.fluxcd.io/v2";
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
  tmp = await mkdtemp(join(tmpdir(), "ferry-hr-"));
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(toolPath("helm"), [...args, "--kubeconfig", cluster.kubeconfig], {
    env: { ...process.env, HELM_CACHE_HOME: tmp, HELM_CONFIG_HOME: tmp, HELM_DATA_HOME: tmp },
  });
  return stdout;
}

/** Packages a small chart at `version` and pushes it with `helm push`. */
async function pushChart(repo: string, version: string): Promise<void> {
  const dir = join(tmp, `chart-${version}`, "demo");
  await mkdir(join(dir, "templates"), { recursive: true });
  await writeFile(
    join(dir, "Chart.yaml"),
    `apiVersion: v2\nname: demo\nversion: ${version}\nappVersion: "${version}"\n`,
  );
  await writeFile(join(dir, "values.yaml"), "message: default\nreplicas: 1\nextra: false\n");
  await writeFile(
    join(dir, "templates/configmap.yaml"),
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
  replicas: {{ .Values.replicas | quote }}
  version: {{ .Chart.Version | quote }}
  kube: {{ .Capabilities.KubeVersion.Minor | quote }}
  hasHelmRelease: {{ .Capabilities.APIVersions.Has "helm.toolkit.fluxcd.io/v2/HelmRelease" | quote }}
  lookedUp: {{ (lookup "v1" "ConfigMap" .Release.Namespace "demo-values").data | toJson | quote }}
  namespace: {{ (lookup "v1" "Namespace" "" .Release.Namespace).metadata.name | quote }}
  absent: {{ lookup "v1" "Secret" .Release.Namespace "absent" | toJson | quote }}
  unknownKind: {{ lookup "example.com/v1" "Nothing" "" "" | toJson | quote }}
  listed: {{ range (lookup "v1" "ServiceAccount" .Release.Namespace "").items }}{{ .metadata.name }} {{ end }}
`,
  );
  // Only in the first version: the upgrade must prune it.
  if (version === "0.1.0") {
    await writeFile(
      join(dir, "templates/old.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-old\ndata: {}\n",
    );
  }
  await writeFile(
    join(dir, "templates/deployment.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
        - name: app
          image: nginx:{{ .Chart.AppVersion }}
`,
  );
  await writeFile(join(dir, "templates/NOTES.txt"), "installed {{ .Release.Name }}\n");
  await writeFile(
    join(dir, "templates/kept.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-kept\n  annotations:\n    helm.sh/resource-policy: keep\ndata: {}\n",
  );
  await writeFile(
    join(dir, "templates/hooks.yaml"),
    `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-1"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-installed-at
  annotations:
    helm.sh/hook: post-install
data:
  revision: "{{ .Release.Revision }}"
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-goodbye
  annotations:
    helm.sh/hook: pre-delete
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: bye, image: busybox}]
`,
  );
  await helm("package", dir, "-d", join(tmp, `chart-${version}`));
  await helm(
    "push",
    join(tmp, `chart-${version}`, `demo-${version}.tgz`),
    `oci://${regs.open}/${repo}`,
    "--plain-http",
  );
}

async function waitForHr(namespace: string, name: string, check: (s: Record<string, unknown>) => boolean) {
  const until = AbortSignal.any([signal, AbortSignal.timeout(120_000)]);
  let last: unknown;
  while (!until.aborted) {
    const o = await getObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace, name } },
      { signal },
    );
    last = o?.status;
    if (o && check((o.status ?? {}) as Record<string, unknown>)) return o.status as Record<string, unknown>;
    await sleep(200);
  }
  throw new Error(
    `gave up waiting for HelmRelease ${namespace}/${name}; last status ${JSON.stringify(last)}`,
  );
}

const ready = (s: Record<string, unknown>) =>
  ((s.conditions ?? []) as { type: string; status: string }[]).find((c) => c.type === "Ready")?.status ===
  "True";

test("HelmRelease from an OCI chart: install, helm sees it, upgrade, uninstall", async () => {
  const h = await startAgent(cluster, "hr", signal);
  try {
    const repo = uniqueRepo("chart");
    await pushChart(repo, "0.1.0");
    const apply = (o: KubeObject) =>
      applyObject(kube, o, { signal, fieldManager: "ferry-test", force: true });
    await apply(
      ociRepository(h.namespace, "demo", {
        url: `oci://${regs.open}/${repo}/demo`,
        ref: { tag: "0.1.0" },
        insecure: true,
        layerSelector: {
          mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
          operation: "copy",
        },
      }),
    );
    await apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "demo-values", namespace: h.namespace },
      data: { "values.yaml": "replicas: 3\nmessage: from-configmap\n" },
    });
    await apply({
      apiVersion: HR,
      kind: "HelmRelease",
      metadata: { name: "demo", namespace: h.namespace },
      spec: {
        interval: "10m",
        chartRef: { kind: "OCIRepository", name: "demo" },
        valuesFrom: [{ kind: "ConfigMap", name: "demo-values" }],
        values: { message: "from-spec" },
      },
    });
    const s1 = await waitForHr(h.namespace, "demo", ready);
    const hist1 = s1.history as Record<string, unknown>[];
    const v1 = await ociChartVersion(kube, h.namespace, "demo", signal);
    assert.match(v1, /^0\.1\.0\+[0-9a-f]{12}$/);
    assert.equal(hist1[0]?.chartVersion, v1);
    assert.equal(hist1[0]?.status, "deployed");
    assert.equal(s1.lastAttemptedRevision, v1);
    assert.match(String(s1.lastAttemptedRevisionDigest), /^sha256:[0-9a-f]{64}$/);
    const cm = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: h.namespace, name: "demo-config" } },
      { signal },
    );
    assert.deepEqual((cm as { data?: unknown }).data, {
      message: "from-spec",
      replicas: "3",
      version: v1,
      // The cluster's capabilities (Kubernetes 1.37, the HelmRelease kind), not helm template's defaults.
      kube: "37",
      hasHelmRelease: "true",
      // Live lookups (a get, a miss, an unknown kind, a list), as helm install does them.
      lookedUp: JSON.stringify({ "values.yaml": "replicas: 3\nmessage: from-configmap\n" }),
      namespace: h.namespace,
      absent: "{}",
      unknownKind: "{}",
      listed: "default",
    });
    assert.equal(cm?.metadata.annotations?.["meta.helm.sh/release-name"], "demo");
    assert.equal(cm?.metadata.labels?.["helm.toolkit.fluxcd.io/name"], "demo");

    const list = JSON.parse(await helm("list", "-n", h.namespace, "-o", "json")) as Record<string, string>[];
    assert.equal(list.length, 1);
    assert.equal(list[0]?.name, "demo");
    assert.equal(list[0]?.status, "deployed");
    assert.equal(list[0]?.chart, `demo-${v1}`);
    const values = JSON.parse(await helm("get", "values", "demo", "-n", h.namespace, "-o", "json"));
    assert.deepEqual(values, { message: "from-spec", replicas: 3 });
    assert.match(await helm("get", "notes", "demo", "-n", h.namespace), /installed demo/);
    // Hooks ran: the post-install ConfigMap is there, the pre-install Job ran and was deleted (hook-succeeded).
    const hook = await getObject(
      kube,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { namespace: h.namespace, name: "demo-installed-at" },
      },
      { signal },
    );
    assert.deepEqual((hook as { data?: unknown } | undefined)?.data, { revision: "1" });
    const migrate = await getObject(
      kube,
      { apiVersion: "batch/v1", kind: "Job", metadata: { namespace: h.namespace, name: "demo-migrate" } },
      { signal },
    );
    assert.equal(migrate, undefined);
    const status = JSON.parse(await helm("status", "demo", "-n", h.namespace, "-o", "json")) as {
      hooks: { name: string; last_run: { phase: string } }[];
    };
    assert.deepEqual(status.hooks.map((x) => [x.name, x.last_run.phase]).sort(), [
      ["demo-goodbye", ""],
      ["demo-installed-at", "Succeeded"],
      ["demo-migrate", "Succeeded"],
    ]);

    // A new chart version upgrades the release and prunes what it dropped.
    await pushChart(repo, "0.2.0");
    await mergePatchObject(
      kube,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: { namespace: h.namespace, name: "demo" },
      },
      { spec: { ref: { tag: "0.2.0" } } },
      { signal },
    );
    const s2 = await waitForHr(
      h.namespace,
      "demo",
      (s) =>
        ready(s) &&
        (s.history as { chartVersion?: string }[] | undefined)?.[0]?.chartVersion?.startsWith("0.2.0+") ===
          true,
    );
    assert.equal((s2.history as unknown[]).length, 2);
    const history = JSON.parse(await helm("history", "demo", "-n", h.namespace, "-o", "json")) as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      history.map((r) => [r.revision, r.status, withoutBuild(r.chart)]),
      [
        [1, "superseded", "demo-0.1.0"],
        [2, "deployed", "demo-0.2.0"],
      ],
    );
    const old = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: h.namespace, name: "demo-old" } },
      { signal },
    );
    assert.equal(old, undefined);

    // Deleting the HelmRelease uninstalls: objects and release records go.
    await deleteObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "demo" } },
      { signal },
    );
    const until = AbortSignal.any([signal, AbortSignal.timeout(60_000)]);
    for (;;) {
      const left = await getObject(
        kube,
        { apiVersion: HR, kind: "HelmRelease", metadata: { namespace: h.namespace, name: "demo" } },
        { signal },
      );
      if (!left) break;
      if (until.aborted) throw new Error("HelmRelease was not finalized");
      await sleep(200);
    }
    const secrets = await listObjects(kube, "v1", "Secret", {
      signal,
      namespace: h.namespace,
      labelSelector: "owner=helm",
    });
    assert.equal(secrets.items.length, 0);
    assert.equal(JSON.parse(await helm("list", "-n", h.namespace, "-o", "json")).length, 0);
    const dep = await getObject(
      kube,
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: h.namespace, name: "demo" } },
      { signal },
    );
    assert.equal(dep, undefined);
    // helm.sh/resource-policy: keep outlives the release, as in Helm.
    const kept = await getObject(
      kube,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: h.namespace, name: "demo-kept" } },
      { signal },
    );
    assert.ok(kept, "the kept ConfigMap is still there");
    // The pre-delete hook ran before the objects went (Helm leaves hook objects behind, so does Ferry).
    const bye = await getObject(
      kube,
      { apiVersion: "batch/v1", kind: "Job", metadata: { namespace: h.namespace, name: "demo-goodbye" } },
      { signal },
    );
    assert.ok(bye, "the pre-delete hook Job was created");
  } finally {
    await h.stop();
  }
});
