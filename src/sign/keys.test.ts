import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { test } from "node:test";
import { KeyError } from "./errors.ts";
import { generateKeyPair, keyHint, loadPrivateKey, loadPublicKey, SIGSTORE_PRIVATE_KEY_PEM } from "./keys.ts";

test("generateKeyPair writes cosign's PEM types and the private key decrypts with the password", async () => {
  const pair = await generateKeyPair("s3cret");
  assert.match(pair.privateKey, new RegExp(`^-----BEGIN ${SIGSTORE_PRIVATE_KEY_PEM}-----\n`));
  assert.match(pair.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
  const inner = JSON.parse(
    Buffer.from(pair.privateKey.split("\n").slice(1, -2).join(""), "base64").toString("utf8"),
  ) as { kdf: { name: string; params: unknown }; cipher: { name: string } };
  assert.equal(inner.kdf.name, "scrypt");
  assert.deepEqual(inner.kdf.params, { N: 65536, r: 8, p: 1 });
  assert.equal(inner.cipher.name, "nacl/secretbox");

  const priv = await loadPrivateKey(pair.privateKey, { password: "s3cret", source: "cosign.key" });
  const pub = loadPublicKey(pair.publicKey, "cosign.pub");
  assert.equal(priv.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const sig = sign("sha256", Buffer.from("hello"), priv);
  assert.ok(verify("sha256", Buffer.from("hello"), pub, sig));
  assert.equal(keyHint(priv), keyHint(pub));
});

test("loadPrivateKey errors name the source and the fix, never the key", async () => {
  const pair = await generateKeyPair("right");
  const cases: Array<[string, string, string | undefined, RegExp]> = [
    ["wrong password", pair.privateKey, "wrong", /cannot decrypt private key cosign\.key: wrong password/],
    ["no password", pair.privateKey, undefined, /is encrypted; set COSIGN_PASSWORD/],
    ["not PEM", "hello", "x", /is not PEM/],
    ["public key given", pair.publicKey, "x", /has PEM type "PUBLIC KEY"/],
  ];
  for (const [name, text, password, re] of cases) {
    await assert.rejects(loadPrivateKey(text, { password, source: "cosign.key" }), (err: unknown) => {
      assert.ok(err instanceof KeyError, name);
      assert.match(err.message, re, name);
      assert.ok(!err.message.includes("right"), name);
      return true;
    });
  }
});

test("loadPrivateKey reads plain PKCS#8 and SEC1 PEMs", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  for (const type of ["pkcs8", "sec1"] as const) {
    const text = privateKey.export({ type, format: "pem" }).toString();
    const k = await loadPrivateKey(text, { source: "k.pem" });
    assert.equal(keyHint(k), keyHint(createPublicKey(createPrivateKey(text))));
  }
});

test("loadPublicKey refuses garbage with a KeyError", () => {
  assert.throws(() => loadPublicKey("nope", "cosign.pub"), KeyError);
});

test('an empty password is a password (COSIGN_PASSWORD="" as cosign allows)', async () => {
  const pair = await generateKeyPair("");
  const k = await loadPrivateKey(pair.privateKey, { password: "", source: "cosign.key" });
  assert.equal(keyHint(k), keyHint(loadPublicKey(pair.publicKey, "cosign.pub")));
  await assert.rejects(loadPrivateKey(pair.privateKey, { password: "x", source: "cosign.key" }), KeyError);
});
