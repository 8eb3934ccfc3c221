/** OCIRepository access: cosign verification with key pairs and registry pull secrets, on the real cluster and registries. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { applyObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient, type Reference, staticCredentials } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { generateKeyPair, loadPrivateKey, signArtifact } from "../../sign/index.ts";
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

const _storeKeyOf = (path: string | undefined) => (path ?? "").split("/")[0] ?? "";

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
    // Keyless without a trusted root cannot make progress: Stalled, with the field to set.
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
    assert.match(readyOf(kl).message ?? "", /provider 'cosign keyless'.*trustedRootSecretRef/);
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
    // A service account that does not exist yet: a clear failure, then recovery once it is created.
    await apply(
      kube,
      ociRepository(h.namespace, "latesa", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        serviceAccountName: "late",
      }),
      signal,
    );
    const late = await waitForStatus(
      kube,
      h.namespace,
      "latesa",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.match(readyOf(late).message ?? "", /service account '.*\/late' not found/);
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "late", namespace: h.namespace },
        imagePullSecrets: [{ name: "regcred" }],
      },
      { signal, fieldManager: "ferry-test" },
    );
    await waitForStatus(kube, h.namespace, "latesa", (s) => readyOf(s).status === "True", signal);
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
