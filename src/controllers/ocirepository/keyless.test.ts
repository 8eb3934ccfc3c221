/**
 * Keyless verification in a running agent: a private Sigstore (mock Fulcio + Rekor) on 127.0.0.1, its
 * trusted root in a Secret, and the D2 policies — production accepts only release-tag identities, staging
 * also the main branch.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { applyObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient, parseReference } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { signArtifact } from "../../sign/index.ts";
import { startTestSigstore, type TestSigstore, testIdentityToken } from "../../sign/testing-sigstore.ts";
import {
  apply,
  conditionOf,
  ociRepository,
  pushFiles,
  readyOf,
  startAgent,
  waitForStatus,
} from "./testing.ts";

const ISSUER = "https://token.actions.githubusercontent.com";
const WORKFLOW = "https://github.com/acme/fleet/.github/workflows/release.yml";
const issuer = `^${ISSUER.replace(/\./g, "\\.")}$`;

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let sigstore: TestSigstore;
const oci = new OciClient();
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  sigstore = await startTestSigstore();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await sigstore?.stop();
  await regs?.stop();
  await cluster?.release();
});

test("keyless: a main-branch signature passes the staging identity and is refused by the production one", async () => {
  const h = await startAgent(cluster, "ocirepo-keyless", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-keyless")}`;
    const digest = await pushFiles(oci, `${repo}:latest`, { "a.txt": "a" }, signal);
    await signArtifact({
      client: oci,
      reference: parseReference(`${repo}:latest`),
      material: {
        kind: "keyless",
        fulcioURL: sigstore.fulcioURL,
        identityToken: async () => testIdentityToken({ iss: ISSUER, sub: `${WORKFLOW}@refs/heads/main` }),
      },
      rekorURL: sigstore.rekorURL,
      signal,
    });
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sigstore-root", namespace: h.namespace },
        stringData: { "trusted_root.json": JSON.stringify(sigstore.trustedRoot) },
      },
      { signal, fieldManager: "ferry-test" },
    );
    const verify = (subject: string) => ({
      provider: "cosign",
      trustedRootSecretRef: { name: "sigstore-root" },
      matchOIDCIdentity: [{ issuer, subject }],
    });
    await apply(
      kube,
      ociRepository(h.namespace, "staging", {
        url: `oci://${repo}`,
        verify: verify(`^${WORKFLOW}@refs/(heads/main|tags/v\\d+\\.\\d+\\.\\d+)$`),
      }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "production", {
        url: `oci://${repo}`,
        verify: verify(`^${WORKFLOW}@refs/tags/v\\d+\\.\\d+\\.\\d+$`),
      }),
      signal,
    );
    const staging = await waitForStatus(
      kube,
      h.namespace,
      "staging",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.equal(staging.artifact?.revision, `latest@${digest}`);
    assert.equal(conditionOf(staging, "SourceVerified")?.status, "True");
    const prod = await waitForStatus(
      kube,
      h.namespace,
      "production",
      (s) => readyOf(s).status === "False",
      signal,
    );
    assert.equal(readyOf(prod).reason, "VerificationError");
    assert.match(readyOf(prod).message ?? "", /provider 'cosign keyless'/);
    assert.match(readyOf(prod).message ?? "", /refs\/heads\/main/);
    assert.equal(prod.artifact, undefined);
  } finally {
    await h.stop();
  }
});

test("keyless without matchOIDCIdentity: a legacy signature from any identity passes, a bundle is refused, also beside a legacy one (source-controller)", async () => {
  const h = await startAgent(cluster, "ocirepo-keyless-any", signal);
  try {
    await applyObject(
      kube,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sigstore-root", namespace: h.namespace },
        stringData: { "trusted_root.json": JSON.stringify(sigstore.trustedRoot) },
      },
      { signal, fieldManager: "ferry-test" },
    );
    const signed = async (name: string, formats: Array<"bundle" | "legacy">) => {
      const repo = `${regs.open}/${uniqueRepo(`agent-keyless-${name}`)}`;
      await pushFiles(oci, `${repo}:latest`, { "a.txt": name }, signal);
      for (const format of formats) await sign(repo, format);
      await apply(
        kube,
        ociRepository(h.namespace, name, {
          url: `oci://${repo}`,
          verify: { provider: "cosign", trustedRootSecretRef: { name: "sigstore-root" } },
        }),
        signal,
      );
    };
    const sign = async (repo: string, format: "bundle" | "legacy") => {
      await signArtifact({
        client: oci,
        reference: parseReference(`${repo}:latest`),
        material: {
          kind: "keyless",
          fulcioURL: sigstore.fulcioURL,
          identityToken: async () =>
            testIdentityToken({ iss: "https://issuer.example", sub: "anyone@example.com" }),
        },
        rekorURL: sigstore.rekorURL,
        format,
        signal,
      });
    };
    await signed("legacy", ["legacy"]);
    await signed("bundle", ["bundle"]);
    await signed("both", ["legacy", "bundle"]);
    const legacy = await waitForStatus(
      kube,
      h.namespace,
      "legacy",
      (s) => readyOf(s).status === "True",
      signal,
    );
    assert.equal(conditionOf(legacy, "SourceVerified")?.status, "True");
    assert.match(
      conditionOf(legacy, "SourceVerified")?.message ?? "",
      /^verified signature of revision latest@/,
    );

    const bundle = await waitForStatus(
      kube,
      h.namespace,
      "bundle",
      (s) => readyOf(s).status === "False",
      signal,
    );
    const sv = conditionOf(bundle, "SourceVerified");
    assert.equal(sv?.status, "False");
    assert.equal(sv?.reason, "VerificationError");
    assert.match(
      sv?.message ?? "",
      /^failed to verify the signature using provider 'cosign keyless': no matching attestations: failed to build policy: can't verify identities without providing at least one identity/,
    );
    assert.equal(readyOf(bundle).reason, "VerificationError");
    // A retried failure, not a configuration error: source-controller does not stall here.
    assert.equal(conditionOf(bundle, "Stalled"), undefined);
    assert.equal(bundle.artifact, undefined);
    // With a bundle attached, only the bundles count (cosign's order), so a valid legacy signature does not help.
    const both = await waitForStatus(kube, h.namespace, "both", (s) => readyOf(s).status === "False", signal);
    assert.match(conditionOf(both, "SourceVerified")?.message ?? "", /can't verify identities/);
  } finally {
    await h.stop();
  }
});
