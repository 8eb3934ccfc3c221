/** The ResourceSetInputProvider controller with ResourceSets, against the real local cluster and real registries. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { getObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient, staticCredentials } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { inputId } from "../../render/resourceset/index.ts";
import { pushFiles } from "../ocirepository/testing.ts";
import {
  apply,
  conditionOf,
  provider,
  readyOf,
  requestReconcile,
  resourceSet,
  startControllers,
  waitFor,
  waitForObject,
} from "../resourceset/testing.ts";

let cluster: TestCluster;
let admin: KubeClient;
let regs: SharedRegistries;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(admin, { signal });
});

after(async () => {
  admin?.close();
  await regs?.stop();
  await cluster?.release();
});

const cmRef = (namespace: string, name: string) => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace });
const gone = (o: unknown) =>
  o === undefined || !!(o as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp;

test("a Static provider feeds a ResourceSet through an inputsFrom selector; a change of its values follows", async () => {
  const h = await startControllers(cluster, "rsip-static", signal);
  const ns = h.namespace;
  try {
    const p = await apply(
      admin,
      provider(
        ns,
        "tenants",
        { type: "Static", defaultValues: { tenant: "s1", replicas: 2 } },
        { team: "x" },
      ),
      signal,
    );
    const ps = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "tenants",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.deepEqual(ps.exportedInputs, [{ tenant: "s1", replicas: 2, id: inputId(p.metadata.uid ?? "") }]);
    assert.match(ps.lastExportedRevision ?? "", /^sha256:/);
    assert.equal(readyOf(ps).reason, "ReconciliationSucceeded");

    const spec = {
      inputsFrom: [
        {
          apiVersion: "fluxcd.controlplane.io/v1",
          kind: "ResourceSetInputProvider",
          selector: { matchLabels: { team: "x" } },
        },
      ],
      resources: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "static-<< inputs.tenant >>", namespace: ns },
          data: { replicas: "<< inputs.replicas | quote >>", provider: "<< inputs.provider.name >>" },
        },
      ],
    };
    await apply(admin, resourceSet(ns, "from-static", spec), signal);
    await waitFor(admin, "ResourceSet", ns, "from-static", (s) => readyOf(s).status === "True", signal);
    const cm = await getObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "static-s1", namespace: ns } },
      { signal },
    );
    assert.deepEqual(cm?.data, { replicas: "2", provider: "tenants" });

    await apply(
      admin,
      provider(
        ns,
        "tenants",
        { type: "Static", defaultValues: { tenant: "s2", replicas: 3 } },
        { team: "x" },
      ),
      signal,
    );
    await waitForObject(admin, cmRef(ns, "static-s2"), (o) => o !== undefined, signal);
    await waitForObject(admin, cmRef(ns, "static-s1"), gone, signal);
  } finally {
    await h.stop();
  }
});

test("an OCIArtifactTag provider exports the tags of a real registry (semver filter, pull secret); a new tag adds an input", async () => {
  const h = await startControllers(cluster, "rsip-oci", signal);
  const ns = h.namespace;
  const oci = new OciClient({
    credentials: staticCredentials(`${regs.user}:${regs.password}`, "test"),
  });
  try {
    const repo = `${regs.auth}/${uniqueRepo("rsip")}`;
    const d1 = await pushFiles(oci, `${repo}:v1.0.0`, { "a.yaml": "kind: ConfigMap\n" }, signal);
    const d2 = await pushFiles(oci, `${repo}:v1.1.0`, { "b.yaml": "kind: ConfigMap\n" }, signal);
    await pushFiles(oci, `${repo}:latest`, { "c.yaml": "kind: ConfigMap\n" }, signal);
    const auth = Buffer.from(`${regs.user}:${regs.password}`).toString("base64");
    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "pull", namespace: ns },
        type: "kubernetes.io/dockerconfigjson",
        data: {
          ".dockerconfigjson": Buffer.from(JSON.stringify({ auths: { [regs.auth]: { auth } } })).toString(
            "base64",
          ),
        },
      },
      signal,
    );
    await apply(
      admin,
      provider(ns, "releases", {
        type: "OCIArtifactTag",
        url: `oci://${repo}`,
        secretRef: { name: "pull" },
        filter: { semver: ">=1.0.0" },
        defaultValues: { env: "prod" },
      }),
      signal,
    );
    const s1 = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "releases",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.deepEqual(s1.exportedInputs, [
      { env: "prod", id: inputId("v1.1.0"), tag: "v1.1.0", digest: d2 },
      { env: "prod", id: inputId("v1.0.0"), tag: "v1.0.0", digest: d1 },
    ]);

    const spec = {
      inputsFrom: [
        { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSetInputProvider", name: "releases" },
      ],
      resources: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "release-<< inputs.id >>", namespace: ns },
          data: { tag: "<< inputs.tag >>", digest: "<< inputs.digest >>" },
        },
      ],
    };
    await apply(admin, resourceSet(ns, "releases", spec), signal);
    const r1 = await waitFor(
      admin,
      "ResourceSet",
      ns,
      "releases",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.equal(r1.inventory?.entries.length, 2);

    const d3 = await pushFiles(oci, `${repo}:v1.2.0`, { "d.yaml": "kind: ConfigMap\n" }, signal);
    const at = await requestReconcile(admin, "ResourceSetInputProvider", ns, "releases", signal);
    const s2 = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "releases",
      (s) => s.lastHandledReconcileAt === at && readyOf(s).status === "True",
      signal,
    );
    assert.deepEqual(
      s2.exportedInputs?.map((i) => i.tag),
      ["v1.2.0", "v1.1.0", "v1.0.0"],
    );
    assert.notEqual(s2.lastExportedRevision, s1.lastExportedRevision);
    const cm = await waitForObject(
      admin,
      cmRef(ns, `release-${inputId("v1.2.0")}`),
      (o) => o !== undefined,
      signal,
    );
    assert.equal((cm?.data as Record<string, string> | undefined)?.digest, d3);

    // The same registry through a service account's imagePullSecrets, no semver: text order, limit.
    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "puller", namespace: ns },
        imagePullSecrets: [{ name: "pull" }],
      },
      signal,
    );
    await apply(
      admin,
      provider(ns, "via-sa", {
        type: "OCIArtifactTag",
        url: `oci://${repo}`,
        serviceAccountName: "puller",
        filter: { limit: 3 },
      }),
      signal,
    );
    const s3 = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "via-sa",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.deepEqual(
      s3.exportedInputs?.map((i) => i.tag),
      ["v1.2.0", "v1.1.0", "v1.0.0"],
    );
  } finally {
    await h.stop();
  }
});

test("a registry without credentials fails the provider with the registry's answer; unsupported types stall", async () => {
  const h = await startControllers(cluster, "rsip-fail", signal);
  const ns = h.namespace;
  try {
    await apply(
      admin,
      provider(ns, "noauth", {
        type: "OCIArtifactTag",
        url: `oci://${regs.auth}/${uniqueRepo("rsip-noauth")}`,
      }),
      signal,
    );
    const s1 = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "noauth",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(readyOf(s1).reason, "ReconciliationFailed");
    assert.match(readyOf(s1).message ?? "", /^failed to call OCI provider: failed to list OCI tags for /);
    assert.doesNotMatch(readyOf(s1).message ?? "", new RegExp(regs.password));

    await apply(
      admin,
      provider(ns, "prs", { type: "GitHubPullRequest", url: "https://github.com/example/app" }),
      signal,
    );
    const s2 = await waitFor(
      admin,
      "ResourceSetInputProvider",
      ns,
      "prs",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(conditionOf(s2, "Stalled")?.status, "True");
    assert.match(readyOf(s2).message ?? "", /provider type 'GitHubPullRequest' is not supported by Ferry/);
  } finally {
    await h.stop();
  }
});
