/** The OCIRepository controller in a running agent, against the real local cluster and the real registries. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  KubeClient,
  listObjects,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { OciClient, type Reference, staticCredentials } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { generateKeyPair, loadPrivateKey, signArtifact } from "../../sign/index.ts";
import { ArtifactStore } from "../../store/index.ts";
import { artifactContentDir, CONTENT_DIR } from "./fetch.ts";
import { OCIRepositoryReconciler } from "./reconciler.ts";
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

test("cosign verification: a signed artifact is accepted; unsigned and wrongly signed ones are refused and not stored", async () => {
  const h = await startAgent(cluster, "ocirepo-verify", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-verify")}`;
    const good = await generateKeyPair("pw");
    const other = await generateKeyPair("pw");
    const sign = async (tag: string, pem: string) => {
      const privateKey = await loadPrivateKey(pem, { password: "pw", source: "cosign.key" });
      const [registry, ...rest] = repo.split("/");
      const ref: Reference = { registry: registry ?? "", repository: rest.join("/"), tag };
      await signArtifact({ client: oci, reference: ref, material: { kind: "key", privateKey }, signal });
    };
    const signed = await pushFiles(oci, `${repo}:signed`, { "a.txt": "signed" }, signal);
    await sign("signed", good.privateKey);
    const unsigned = await pushFiles(oci, `${repo}:unsigned`, { "a.txt": "unsigned" }, signal);
    const wrong = await pushFiles(oci, `${repo}:wrong`, { "a.txt": "wrong" }, signal);
    await sign("wrong", other.privateKey);
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cosign-pub", namespace: h.namespace },
        stringData: { "cosign.pub": good.publicKey },
      },
      { signal, fieldManager: "ferry-test" },
    );
    const verify = { provider: "cosign", secretRef: { name: "cosign-pub" } };
    for (const tag of ["signed", "unsigned", "wrong"]) {
      await apply(
        kube,
        ociRepository(h.namespace, tag, { url: `oci://${repo}`, ref: { tag }, verify }),
        signal,
      );
    }
    const ok = await waitForStatus(kube, h.namespace, "signed", (s) => readyOf(s).status === "True", signal);
    assert.equal(conditionOf(ok, "SourceVerified")?.status, "True");
    assert.equal(
      conditionOf(ok, "SourceVerified")?.message,
      `verified signature of revision signed@${signed}`,
    );
    for (const [tag, digest] of [
      ["unsigned", unsigned],
      ["wrong", wrong],
    ] as const) {
      const s = await waitForStatus(kube, h.namespace, tag, (x) => readyOf(x).status === "False", signal);
      assert.equal(readyOf(s).reason, "VerificationError");
      assert.equal(conditionOf(s, "SourceVerified")?.status, "False");
      assert.match(readyOf(s).message ?? "", /failed to verify the signature using provider 'cosign'/);
      assert.equal(s.artifact, undefined);
      assert.ok(
        !(await h.agent.store.keys()).some((k) => k.startsWith(digest.replace(":", "-"))),
        `${tag} not stored`,
      );
    }
    // Keyless without identities or a trusted root cannot make progress: Stalled, with the field to set.
    await apply(
      kube,
      ociRepository(h.namespace, "keyless", {
        url: `oci://${repo}`,
        ref: { tag: "signed" },
        verify: { provider: "cosign" },
      }),
      signal,
    );
    const kl = await waitForStatus(
      kube,
      h.namespace,
      "keyless",
      (x) => readyOf(x).status === "False",
      signal,
    );
    assert.equal(conditionOf(kl, "Stalled")?.status, "True");
    assert.match(readyOf(kl).message ?? "", /provider 'cosign keyless'.*matchOIDCIdentity/);
    // Re-reconciling the unchanged signed digest neither pulls nor verifies again (the condition stays as is).
    const before = conditionOf(ok, "SourceVerified")?.lastTransitionTime;
    const at = await requestReconcile(kube, h.namespace, "signed", signal);
    const again = await waitForStatus(
      kube,
      h.namespace,
      "signed",
      (s) => s.lastHandledReconcileAt === at,
      signal,
    );
    assert.equal(readyOf(again).status, "True");
    assert.equal(conditionOf(again, "SourceVerified")?.lastTransitionTime, before);
  } finally {
    await h.stop();
  }
});

test("pull secrets: the htpasswd registry refuses anonymous pulls and accepts a dockerconfigjson secret", async () => {
  const h = await startAgent(cluster, "ocirepo-auth", signal);
  try {
    const repo = `${regs.auth}/${uniqueRepo("agent-auth")}`;
    const authed = new OciClient({ credentials: staticCredentials(`${regs.user}:${regs.password}`) });
    const digest = await pushFiles(authed, `${repo}:v1`, { "a.txt": "private" }, signal);
    await apply(
      kube,
      ociRepository(h.namespace, "anon", { url: `oci://${repo}`, ref: { tag: "v1" } }),
      signal,
    );
    const anon = await waitForStatus(kube, h.namespace, "anon", (s) => readyOf(s).status === "False", signal);
    assert.equal(readyOf(anon).reason, "OCIArtifactPullFailed");
    assert.ok(!(readyOf(anon).message ?? "").includes(regs.password));

    const auth = Buffer.from(`${regs.user}:${regs.password}`).toString("base64");
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name: "regcred", namespace: h.namespace },
        stringData: { ".dockerconfigjson": JSON.stringify({ auths: { [regs.auth]: { auth } } }) },
      },
      { signal, fieldManager: "ferry-test" },
    );
    await apply(
      kube,
      ociRepository(h.namespace, "private", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        secretRef: { name: "regcred" },
      }),
      signal,
    );
    const ok = await waitForStatus(kube, h.namespace, "private", (s) => readyOf(s).status === "True", signal);
    assert.equal(ok.artifact?.revision, `v1@${digest}`);
    // Through a service account's imagePullSecrets as well.
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "puller", namespace: h.namespace },
        imagePullSecrets: [{ name: "regcred" }],
      },
      { signal, fieldManager: "ferry-test" },
    );
    await apply(
      kube,
      ociRepository(h.namespace, "viasa", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        serviceAccountName: "puller",
      }),
      signal,
    );
    await waitForStatus(kube, h.namespace, "viasa", (s) => readyOf(s).status === "True", signal);
    // A missing secret is reported by name.
    await apply(
      kube,
      ociRepository(h.namespace, "nosecret", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        secretRef: { name: "absent" },
      }),
      signal,
    );
    const ns = await waitForStatus(
      kube,
      h.namespace,
      "nosecret",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(readyOf(ns).reason, "AuthenticationFailed");
    assert.match(readyOf(ns).message ?? "", /secret '.*\/absent'/);
    // Creating the secret lets it recover (the Secret watch re-enqueues it).
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name: "absent", namespace: h.namespace },
        stringData: { ".dockerconfigjson": JSON.stringify({ auths: { [regs.auth]: { auth } } }) },
      },
      { signal, fieldManager: "ferry-test" },
    );
    await waitForStatus(kube, h.namespace, "nosecret", (s) => readyOf(s).status === "True", signal);
  } finally {
    await h.stop();
  }
});

test("suspend: a suspended object gets the finalizer and nothing else; resuming reconciles it", async () => {
  const ns = await createTestNamespace(cluster, "ocirepo-suspend", signal);
  const store = new ArtifactStore({ root: await mkdtemp(join(tmpdir(), "ferry-suspend-")) });
  await store.init({ signal });
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-suspend")}`;
    const digest = await pushFiles(oci, `${repo}:latest`, { "a.txt": "a" }, signal);
    await apply(kube, ociRepository(ns.name, "s", { url: `oci://${repo}`, suspend: true }), signal);
    const r = new OCIRepositoryReconciler({ kube, store });
    const key = `${ns.name}/s`;
    assert.equal(await r.reconcile(key, signal), undefined);
    const o = await getObject(kube, ociRepository(ns.name, "s", {}), { signal });
    assert.deepEqual(o?.metadata.finalizers, ["finalizers.fluxcd.io"]);
    assert.equal(o?.status, undefined);
    assert.deepEqual(await store.keys(), []);
    await mergePatchObject(kube, ociRepository(ns.name, "s", {}), { spec: { suspend: false } }, { signal });
    const res = await r.reconcile(key, signal);
    assert.equal(res?.requeueAfterMs, 600_000);
    const s = (await getObject(kube, ociRepository(ns.name, "s", {}), { signal }))?.status as Record<
      string,
      unknown
    >;
    assert.equal((s.artifact as { revision: string }).revision, `latest@${digest}`);
    // A second pass with nothing new pulls nothing and writes the same status.
    assert.equal((await r.reconcile(key, signal))?.requeueAfterMs, 600_000);
    await deleteObject(kube, ociRepository(ns.name, "s", {}), { signal });
    await r.reconcile(key, signal);
    assert.equal(await getObject(kube, ociRepository(ns.name, "s", {}), { signal }), undefined);
    assert.deepEqual(await store.keys(), []);
  } finally {
    await ns.dispose();
    await rm(store.root, { recursive: true, force: true });
  }
});

test("layerSelector: copy keeps the layer as is (digest = layer digest); an absent media type fails the layer operation", async () => {
  const h = await startAgent(cluster, "ocirepo-layer", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-layer")}`;
    const digest = await pushFiles(oci, `${repo}:v1`, { "a.txt": "a" }, signal);
    const manifest = await oci.getManifest(`${repo}@${digest}`, { signal });
    const layer = (
      manifest.manifest as { layers: Array<{ digest: string; mediaType: string; size: number }> }
    ).layers[0];
    assert.ok(layer);
    await apply(
      kube,
      ociRepository(h.namespace, "copy", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        layerSelector: { mediaType: layer.mediaType, operation: "copy" },
      }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "absent", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        layerSelector: { mediaType: "application/vnd.example.none" },
      }),
      signal,
    );
    const s = await waitForStatus(kube, h.namespace, "copy", (x) => readyOf(x).status === "True", signal);
    assert.equal(s.artifact?.digest, layer.digest);
    assert.equal(s.artifact?.size, layer.size);
    assert.deepEqual(s.observedLayerSelector, { mediaType: layer.mediaType, operation: "copy" });
    assert.equal(
      await readFile(join(h.agent.store.dir(storeKeyOf(s.artifact?.path)), CONTENT_DIR, "a.txt"), "utf8"),
      "a",
    );
    const f = await waitForStatus(kube, h.namespace, "absent", (x) => readyOf(x).status === "False", signal);
    assert.equal(readyOf(f).reason, "OCIArtifactLayerOperationFailed");
    assert.match(
      readyOf(f).message ?? "",
      /failed to find layer with media type 'application\/vnd.example.none'/,
    );
  } finally {
    await h.stop();
  }
});

test("restart: a new process on the same store keeps the stored artifact and does not pull it again", async () => {
  const ns = await createTestNamespace(cluster, "ocirepo-restart", signal);
  const root = await mkdtemp(join(tmpdir(), "ferry-restart-"));
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-restart")}`;
    await pushFiles(oci, `${repo}:latest`, { "a.txt": "a" }, signal);
    await apply(kube, ociRepository(ns.name, "r", { url: `oci://${repo}` }), signal);
    const key = `${ns.name}/r`;
    const first = new ArtifactStore({ root });
    await first.init({ signal });
    await new OCIRepositoryReconciler({ kube, store: first }).reconcile(key, signal);
    const s1 = (await getObject(kube, ociRepository(ns.name, "r", {}), { signal }))?.status as {
      artifact: { path: string; lastUpdateTime: string };
    };
    const stored = await first.get(storeKeyOf(s1.artifact.path));
    assert.ok(stored);

    const second = new ArtifactStore({ root });
    await second.init({ signal });
    const r2 = new OCIRepositoryReconciler({ kube, store: second });
    await r2.reconcile(key, signal);
    assert.equal(second.referenced(OCIRepositoryReconciler.owner(key)), stored.key);
    assert.equal((await second.get(stored.key))?.storedAt, stored.storedAt);
    const s2 = (await getObject(kube, ociRepository(ns.name, "r", {}), { signal }))?.status as typeof s1;
    assert.deepEqual(s2.artifact, s1.artifact);
    assert.deepEqual(await second.gc({ signal }), []);

    // A store that lost the entry fetches it again.
    await rm(stored.dir, { recursive: true, force: true });
    await new OCIRepositoryReconciler({ kube, store: second }).reconcile(key, signal);
    assert.ok(await second.get(stored.key));
    await deleteObject(kube, ociRepository(ns.name, "r", {}), { signal });
    await r2.reconcile(key, signal);
  } finally {
    await ns.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
