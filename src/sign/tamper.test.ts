import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type ImageIndex, type ImageManifest, OciClient } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import {
  generateKeyPair,
  type KeyPairPEM,
  legacySignatureTag,
  loadPrivateKey,
  signArtifact,
  VerificationError,
  verifyArtifact,
} from "./index.ts";
import { pushTestArtifact } from "./testing.ts";

let regs: SharedRegistries;
let pair: KeyPairPEM;
const client = new OciClient();

before(async () => {
  regs = await sharedRegistries();
  pair = await generateKeyPair("pw");
});
after(async () => {
  await regs.stop();
});

async function signWithKey(
  ref: { registry: string; repository: string; digest: string },
  format: "bundle" | "legacy",
) {
  const privateKey = await loadPrivateKey(pair.privateKey, { password: "pw", source: "cosign.key" });
  await signArtifact({ client, reference: ref, material: { kind: "key", privateKey }, format });
}

function rejectsWith(reason: string, re?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof VerificationError, String(err));
    assert.equal(err.reason, reason, err.message);
    if (re) assert.match(err.message, re);
    return true;
  };
}

test("a re-pushed artifact under the signed tag fails: no signature for the new digest, digest mismatch when pinned", async () => {
  const repository = uniqueRepo("tamper-repush");
  const signed = await pushTestArtifact(client, regs.open, repository, "v1");
  await signWithKey(signed, "bundle");
  const repushed = await pushTestArtifact(client, regs.open, repository, "v1");
  assert.notEqual(repushed.digest, signed.digest);
  const byTag = { registry: regs.open, repository, tag: "v1" };
  await assert.rejects(
    verifyArtifact({ client, reference: byTag, policy: { keys: [pair.publicKey] } }),
    rejectsWith("no-signature", new RegExp(repushed.digest)),
  );
  await assert.rejects(
    verifyArtifact({ client, reference: byTag, digest: signed.digest, policy: { keys: [pair.publicKey] } }),
    rejectsWith("digest-mismatch", /resolves to .* not the expected/),
  );
});

test("a bundle referrer copied onto another artifact fails as digest-mismatch", async () => {
  const repository = uniqueRepo("tamper-copy-bundle");
  const a = await pushTestArtifact(client, regs.open, repository, "a");
  const b = await pushTestArtifact(client, regs.open, repository, "b");
  await signWithKey(a, "bundle");
  const { referrers } = await client.listReferrers(a, a.digest);
  assert.equal(referrers.length, 1);
  const original = (await client.getManifest({ ...a, tag: undefined, digest: referrers[0]?.digest }))
    .manifest as ImageManifest;
  const head = await client.headManifest(b);
  await client.pushReferrer(
    { registry: regs.open, repository },
    {
      ...original,
      subject: { mediaType: head.mediaType, digest: b.digest, size: head.size },
    },
  );
  await assert.rejects(
    verifyArtifact({ client, reference: b, policy: { keys: [pair.publicKey] } }),
    rejectsWith(
      "digest-mismatch",
      new RegExp(`valid signature for ${a.digest}, copied from another artifact`),
    ),
  );
});

test("a legacy .sig image copied to another artifact's tag fails as digest-mismatch", async () => {
  const repository = uniqueRepo("tamper-copy-legacy");
  const a = await pushTestArtifact(client, regs.open, repository, "a");
  const b = await pushTestArtifact(client, regs.open, repository, "b");
  await signWithKey(a, "legacy");
  const sig = await client.getManifest({
    registry: regs.open,
    repository,
    tag: legacySignatureTag(a.digest),
  });
  await client.putManifest({ registry: regs.open, repository, tag: legacySignatureTag(b.digest) }, sig.bytes);
  await assert.rejects(
    verifyArtifact({ client, reference: b, policy: { keys: [pair.publicKey] } }),
    rejectsWith("digest-mismatch", /copied from another artifact/),
  );
});

test("a legacy signature whose bytes were altered fails as wrong-key; one good signature among bad ones is enough", async () => {
  const repository = uniqueRepo("tamper-bytes");
  const a = await pushTestArtifact(client, regs.open, repository, "a");
  await signWithKey(a, "legacy");
  const tag = { registry: regs.open, repository, tag: legacySignatureTag(a.digest) };
  const sig = await client.getManifest(tag);
  const m = sig.manifest as ImageManifest;
  const layer = m.layers[0];
  assert.ok(layer?.annotations);
  const bytes = Buffer.from(layer.annotations["dev.cosignproject.cosign/signature"] ?? "", "base64");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  layer.annotations["dev.cosignproject.cosign/signature"] = bytes.toString("base64");
  await client.putManifest(tag, m);
  await assert.rejects(
    verifyArtifact({ client, reference: a, policy: { keys: [pair.publicKey] } }),
    rejectsWith("wrong-key"),
  );
  await signWithKey(a, "bundle");
  const ok = await verifyArtifact({ client, reference: a, policy: { keys: [pair.publicKey] } });
  assert.equal(ok.format, "bundle");
  // The referrers index is untouched by the legacy tag: both formats coexist.
  const idx = (await client.getManifest({ registry: regs.open, repository, tag: a.digest.replace(":", "-") }))
    .manifest as ImageIndex;
  assert.equal(idx.manifests.length, 1);
});
