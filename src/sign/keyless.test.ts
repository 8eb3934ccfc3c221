import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OciClient } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import {
  generateKeyPair,
  loadPrivateKey,
  parseTrustedRoot,
  signArtifact,
  VerificationError,
  verifyArtifact,
} from "./index.ts";
import { pushTestArtifact } from "./testing.ts";
import { startTestSigstore, type TestSigstore, testIdentityToken } from "./testing-sigstore.ts";

const ISSUER = "https://token.actions.githubusercontent.com";
const WORKFLOW = "https://github.com/acme/fleet/.github/workflows/release.yml";
const PRODUCTION = {
  issuer: `^${ISSUER.replace(/\./g, "\\.")}$`,
  subject: `^${WORKFLOW}@refs/tags/v\\d+\\.\\d+\\.\\d+$`,
};

let regs: SharedRegistries;
let sigstore: TestSigstore;
const client = new OciClient();

before(async () => {
  regs = await sharedRegistries();
  sigstore = await startTestSigstore();
});
after(async () => {
  await sigstore.stop();
  await regs.stop();
});

async function signKeyless(format: "bundle" | "legacy", subject: string, stack = sigstore) {
  const art = await pushTestArtifact(client, regs.open, uniqueRepo(`keyless-${format}`));
  await signArtifact({
    client,
    reference: art,
    format,
    material: {
      kind: "keyless",
      fulcioURL: stack.fulcioURL,
      identityToken: async () => testIdentityToken({ iss: ISSUER, sub: subject }),
    },
    rekorURL: stack.rekorURL,
  });
  return art;
}

for (const format of ["bundle", "legacy"] as const) {
  test(`keyless ${format}: a release-tag identity passes the production policy`, async () => {
    const art = await signKeyless(format, `${WORKFLOW}@refs/tags/v1.2.3`);
    const v = await verifyArtifact({
      client,
      reference: art,
      policy: { identities: [PRODUCTION], trustedRoot: parseTrustedRoot(sigstore.trustedRoot, "test") },
    });
    assert.deepEqual(v.identity, {
      kind: "keyless",
      issuer: ISSUER,
      subject: `${WORKFLOW}@refs/tags/v1.2.3`,
    });
    assert.equal(v.format, format);
  });
}

test("identity matching: staging identity refused by production, accepted by a staging entry; issuer must match too", async () => {
  const art = await signKeyless("bundle", `${WORKFLOW}@refs/heads/main`);
  const trustedRoot = parseTrustedRoot(sigstore.trustedRoot, "test");
  await assert.rejects(
    verifyArtifact({ client, reference: art, policy: { identities: [PRODUCTION], trustedRoot } }),
    (err: unknown) => {
      assert.ok(err instanceof VerificationError);
      assert.equal(err.reason, "identity-mismatch");
      assert.deepEqual(err.found, [`${ISSUER} ${WORKFLOW}@refs/heads/main`]);
      assert.match(err.message, /refs\/heads\/main/);
      return true;
    },
  );
  const cases: Array<[string, { issuer: string; subject: string }[], boolean]> = [
    ["any entry may match", [PRODUCTION, { issuer: ISSUER, subject: "@refs/heads/main$" }], true],
    ["issuer mismatch", [{ issuer: "^https://accounts\\.google\\.com$", subject: ".*" }], false],
    ["subject regexp is unanchored", [{ issuer: "githubusercontent", subject: "acme/fleet" }], true],
    ["other repository", [{ issuer: ".*", subject: "^https://github\\.com/other/" }], false],
  ];
  for (const [name, identities, ok] of cases) {
    const p = verifyArtifact({ client, reference: art, policy: { identities, trustedRoot } });
    if (ok) await p;
    else
      await assert.rejects(
        p,
        (e: unknown) => e instanceof VerificationError && e.reason === "identity-mismatch",
        name,
      );
  }
});

test("a broken certificate chain (a production identity from a CA outside the trusted root) fails as untrusted-certificate", async () => {
  const rogue = await startTestSigstore();
  try {
    for (const format of ["bundle", "legacy"] as const) {
      const art = await signKeyless(format, `${WORKFLOW}@refs/tags/v1.0.0`, rogue);
      await assert.rejects(
        verifyArtifact({
          client,
          reference: art,
          policy: { identities: [PRODUCTION], trustedRoot: parseTrustedRoot(sigstore.trustedRoot, "test") },
        }),
        (err: unknown) => {
          assert.ok(err instanceof VerificationError, format);
          assert.equal(err.reason, "untrusted-certificate", format);
          assert.match(err.message, /certificate is not trusted \(.*chain/i, format);
          return true;
        },
      );
    }
  } finally {
    await rogue.stop();
  }
});

test("a certificate that had expired when the log entry was made fails as untrusted-certificate", async () => {
  const old = await startTestSigstore({ certClock: new Date(Date.now() - 3600_000) });
  try {
    const art = await signKeyless("bundle", `${WORKFLOW}@refs/tags/v1.0.0`, old);
    await assert.rejects(
      verifyArtifact({
        client,
        reference: art,
        policy: { identities: [PRODUCTION], trustedRoot: parseTrustedRoot(old.trustedRoot, "test") },
      }),
      (err: unknown) => {
        assert.ok(err instanceof VerificationError);
        assert.equal(err.reason, "untrusted-certificate");
        assert.match(err.message, /expired|not valid|valid/i);
        return true;
      },
    );
  } finally {
    await old.stop();
  }
});

test("a key signature logged in a Rekor outside the trusted root fails as untrusted-tlog when the root is given", async () => {
  const rogue = await startTestSigstore();
  try {
    const pair = await generateKeyPair("pw");
    const privateKey = await loadPrivateKey(pair.privateKey, { password: "pw", source: "k" });
    const art = await pushTestArtifact(client, regs.open, uniqueRepo("key-rogue-tlog"));
    await signArtifact({
      client,
      reference: art,
      material: { kind: "key", privateKey },
      rekorURL: rogue.rekorURL,
    });
    const trustedRoot = parseTrustedRoot(sigstore.trustedRoot, "test");
    await assert.rejects(
      verifyArtifact({ client, reference: art, policy: { keys: [pair.publicKey], trustedRoot } }),
      (err: unknown) => err instanceof VerificationError && err.reason === "untrusted-tlog",
    );
    // Without a trusted root the log entry is not consulted (as Flux does for keys).
    const v = await verifyArtifact({ client, reference: art, policy: { keys: [pair.publicKey] } });
    assert.equal(v.identity.kind, "key");
  } finally {
    await rogue.stop();
  }
});
