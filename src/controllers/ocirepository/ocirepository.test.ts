/** The OCIRepository controller in a running agent, against the real local cluster and the real registries. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, listObjects, loadKubeConfig } from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { artifactContentDir, CONTENT_DIR } from "./fetch.ts";
import {
  apply,
  conditionOf,
  ociRepository,
  pushFiles,
  readyOf,
  requestReconcile,
  startAgent,
  waitForStatus,
} from "./testing.ts";

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

const storeKeyOf = (path: string | undefined) => (path ?? "").split("/")[0] ?? "";

test("a tag becomes Ready with TAG@sha256 and the files in the store; a moved tag is picked up on request", async () => {
  const h = await startAgent(cluster, "ocirepo-tag", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-tag")}`;
    const d1 = await pushFiles(
      oci,
      `${repo}:v1`,
      { "app/deploy.yaml": "kind: ConfigMap\n", "x.sops.txt": "k" },
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "app", { url: `oci://${repo}`, ref: { tag: "v1" } }),
      signal,
    );
    const s1 = await waitForStatus(kube, h.namespace, "app", (s) => readyOf(s).status === "True", signal);
    assert.equal(s1.artifact?.revision, `v1@${d1}`);
    assert.equal(readyOf(s1).reason, "Succeeded");
    assert.equal(readyOf(s1).message, `stored artifact for digest 'v1@${d1}'`);
    assert.equal(conditionOf(s1, "ArtifactInStorage")?.status, "True");
    assert.deepEqual(
      s1.conditions?.map((c) => c.type),
      ["Ready", "ArtifactInStorage"],
    );
    assert.equal(s1.observedGeneration, 1);
    assert.match(s1.artifact?.digest ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(
      s1.artifact?.metadata?.["org.opencontainers.image.source"],
      "https://github.com/example/fleet",
    );
    const key1 = storeKeyOf(s1.artifact?.path);
    assert.equal(key1, d1.replace(":", "-"));
    const content = join(h.agent.store.dir(key1), CONTENT_DIR);
    assert.equal(artifactContentDir(h.agent.store, s1.artifact), content);
    assert.equal(await readFile(join(content, "app/deploy.yaml"), "utf8"), "kind: ConfigMap\n");
    assert.ok(s1.artifact?.url.startsWith("file:///"));

    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(
      events.items.some((e) => e.reason === "NewArtifact" && String(e.note).includes(`v1@${d1}`)),
      "NewArtifact event",
    );

    // Move the tag; an explicit request (flux reconcile) picks it up without waiting for the interval.
    const d2 = await pushFiles(oci, `${repo}:v1`, { "app/deploy.yaml": "kind: Secret\n" }, signal);
    assert.notEqual(d1, d2);
    const at = await requestReconcile(kube, h.namespace, "app", signal);
    const s2 = await waitForStatus(
      kube,
      h.namespace,
      "app",
      (s) => s.lastHandledReconcileAt === at && readyOf(s).status === "True",
      signal,
    );
    assert.equal(s2.artifact?.revision, `v1@${d2}`);
    const key2 = storeKeyOf(s2.artifact?.path);
    assert.equal(
      await readFile(join(h.agent.store.dir(key2), CONTENT_DIR, "app/deploy.yaml"), "utf8"),
      "kind: Secret\n",
    );
    // The previous revision is no longer referenced: it left the store.
    assert.deepEqual(await h.agent.store.keys(), [key2]);

    // ignore rules change what is kept (a new store entry for the same digest).
    await apply(
      kube,
      ociRepository(h.namespace, "app", { url: `oci://${repo}`, ref: { tag: "v1" }, ignore: "app/\n" }),
      signal,
    );
    const s3 = await waitForStatus(
      kube,
      h.namespace,
      "app",
      (s) => s.observedIgnore === "app/\n" && s.observedGeneration === 2,
      signal,
    );
    assert.equal(readyOf(s3).status, "True");
    assert.notEqual(storeKeyOf(s3.artifact?.path), key2);
    await assert.rejects(
      readFile(join(h.agent.store.dir(storeKeyOf(s3.artifact?.path)), CONTENT_DIR, "app/deploy.yaml")),
    );

    // Delete: the finalizer releases the artifact, then the object goes.
    await deleteObject(kube, ociRepository(h.namespace, "app", {}), { signal });
    for (;;) {
      const o = await getObject(kube, ociRepository(h.namespace, "app", {}), { signal });
      if (!o) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await h.agent.store.keys(), []);
  } finally {
    await h.stop();
  }
});

test("semver picks the highest matching tag (semverFilter narrows); digest wins over semver and tag", async () => {
  const h = await startAgent(cluster, "ocirepo-semver", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-semver")}`;
    const digests: Record<string, string> = {};
    for (const t of ["1.0.0", "1.2.0", "1.3.0-rc.1", "2.0.0", "latest"]) {
      digests[t] = await pushFiles(oci, `${repo}:${t}`, { "v.txt": t }, signal);
    }
    await apply(
      kube,
      ociRepository(h.namespace, "semver", { url: `oci://${repo}`, ref: { semver: "1.x", tag: "latest" } }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "filtered", {
        url: `oci://${repo}`,
        ref: { semver: ">=1.0.0-0", semverFilter: ".*-rc.*" },
      }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "digest", {
        url: `oci://${repo}`,
        ref: { digest: digests["1.0.0"], semver: "*", tag: "2.0.0" },
      }),
      signal,
    );
    await apply(kube, ociRepository(h.namespace, "default", { url: `oci://${repo}` }), signal);
    const ready = (n: string) =>
      waitForStatus(kube, h.namespace, n, (s) => readyOf(s).status === "True", signal);
    assert.equal((await ready("semver")).artifact?.revision, `1.2.0@${digests["1.2.0"]}`);
    assert.equal((await ready("filtered")).artifact?.revision, `1.3.0-rc.1@${digests["1.3.0-rc.1"]}`);
    assert.equal((await ready("digest")).artifact?.revision, digests["1.0.0"]);
    assert.equal((await ready("default")).artifact?.revision, `latest@${digests.latest}`);
  } finally {
    await h.stop();
  }
});

test("a missing tag or no semver match: Ready=False with FetchFailed and a message naming the reference", async () => {
  const h = await startAgent(cluster, "ocirepo-missing", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-missing")}`;
    await pushFiles(oci, `${repo}:1.0.0`, { "a.txt": "a" }, signal);
    await apply(
      kube,
      ociRepository(h.namespace, "notag", { url: `oci://${repo}`, ref: { tag: "nope" } }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "nomatch", { url: `oci://${repo}`, ref: { semver: ">=5.0.0" } }),
      signal,
    );
    await apply(kube, ociRepository(h.namespace, "badurl", { url: `oci://${repo}:1.0.0` }), signal);
    await apply(kube, ociRepository(h.namespace, "aws", { url: `oci://${repo}`, provider: "aws" }), signal);
    await apply(
      kube,
      ociRepository(h.namespace, "cert", { url: `oci://${repo}`, certSecretRef: { name: "ca" } }),
      signal,
    );
    // Nothing listens on port 9 of the loopback: the registry is down.
    await apply(
      kube,
      ociRepository(h.namespace, "down", { url: "oci://127.0.0.1:9/x/y", timeout: "5s" }),
      signal,
    );
    const failed = (n: string) =>
      waitForStatus(kube, h.namespace, n, (s) => readyOf(s).status === "False", signal);
    const a = await failed("notag");
    assert.equal(readyOf(a).reason, "OCIArtifactPullFailed");
    assert.equal(conditionOf(a, "FetchFailed")?.status, "True");
    assert.match(readyOf(a).message ?? "", /failed to determine artifact digest: tag 'nope' not found/);
    assert.equal(a.artifact, undefined);
    assert.equal(conditionOf(a, "Reconciling")?.reason, "ProgressingWithRetry");
    const b = await failed("nomatch");
    assert.equal(readyOf(b).reason, "ReadOperationFailed");
    assert.match(readyOf(b).message ?? "", /no match found for semver: >=5.0.0/);
    const c = await failed("badurl");
    assert.equal(readyOf(c).reason, "URLInvalid");
    assert.equal(conditionOf(c, "Stalled")?.status, "True");
    const d = await failed("aws");
    assert.equal(readyOf(d).reason, "InvalidProviderConfiguration");
    assert.equal(conditionOf(d, "Stalled")?.status, "True");
    assert.match(readyOf(d).message ?? "", /provider 'aws' is not supported by Ferry/);
    const cert = await failed("cert");
    assert.equal(conditionOf(cert, "Stalled")?.status, "True");
    assert.match(readyOf(cert).message ?? "", /spec\.certSecretRef is not supported by Ferry yet/);
    const e = await failed("down");
    assert.equal(readyOf(e).reason, "OCIArtifactPullFailed");
    assert.match(readyOf(e).message ?? "", /127\.0\.0\.1:9/);
    assert.equal(conditionOf(e, "Stalled"), undefined);
    const events = await listObjects(kube, "events.k8s.io/v1", "Event", { signal, namespace: h.namespace });
    assert.ok(events.items.some((e) => e.type === "Warning" && e.reason === "OCIArtifactPullFailed"));
  } finally {
    await h.stop();
  }
});
