import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OciClient } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import {
  generateKeyPair,
  loadPrivateKey,
  policyFromFluxVerify,
  signArtifact,
  VerificationError,
  verifyArtifact,
} from "./index.ts";
import { pushTestArtifact } from "./testing.ts";

let regs: SharedRegistries;
const client = new OciClient();

before(async () => {
  regs = await sharedRegistries();
});
after(async () => {
  await regs.stop();
});

for (const format of ["bundle", "legacy"] as const) {
  test(`key pair, ${format} format: sign by tag, verify by tag and digest; another key is refused`, async () => {
    const art = await pushTestArtifact(client, regs.open, uniqueRepo(`sign-${format}`));
    const pair = await generateKeyPair("pw");
    const privateKey = await loadPrivateKey(pair.privateKey, { password: "pw", source: "cosign.key" });
    const res = await signArtifact({
      client,
      reference: { registry: art.registry, repository: art.repository, tag: art.tag },
      material: { kind: "key", privateKey },
      format,
    });
    assert.equal(res.digest, art.digest);
    for (const reference of [
      { ...art, digest: undefined },
      { ...art, tag: undefined },
    ]) {
      const v = await verifyArtifact({ client, reference, policy: { keys: [pair.publicKey] } });
      assert.equal(v.digest, art.digest);
      assert.equal(v.format, format);
      assert.equal(v.identity.kind, "key");
    }
    const other = await generateKeyPair("pw");
    await assert.rejects(
      verifyArtifact({ client, reference: art, policy: { keys: [other.publicKey] } }),
      (err: unknown) => err instanceof VerificationError && err.reason === "wrong-key",
    );
  });
}

test("an unsigned artifact fails with no-signature naming the digest", async () => {
  const art = await pushTestArtifact(client, regs.open, uniqueRepo("sign-none"));
  const pair = await generateKeyPair("pw");
  await assert.rejects(
    verifyArtifact({ client, reference: art, policy: { keys: [pair.publicKey] } }),
    (err: unknown) => {
      assert.ok(err instanceof VerificationError);
      assert.equal(err.reason, "no-signature");
      assert.match(err.message, new RegExp(`no signature found for .*${art.digest}`));
      return true;
    },
  );
});

test("an OCIRepository spec.verify (secretRef with *.pub) as policy verifies what the key signed", async () => {
  const art = await pushTestArtifact(client, regs.open, uniqueRepo("sign-flux"));
  const pair = await generateKeyPair("pw");
  const privateKey = await loadPrivateKey(pair.privateKey, { password: "pw", source: "cosign.key" });
  await signArtifact({ client, reference: art, material: { kind: "key", privateKey } });
  const other = await generateKeyPair("pw");
  const policy = policyFromFluxVerify(
    { provider: "cosign", secretRef: { name: "cosign-pub" } },
    { secretData: { "other.pub": Buffer.from(other.publicKey), "cosign.pub": Buffer.from(pair.publicKey) } },
  );
  const v = await verifyArtifact({ client, reference: art, digest: art.digest, policy });
  assert.equal(v.digest, art.digest);
});
