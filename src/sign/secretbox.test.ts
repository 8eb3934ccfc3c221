import assert from "node:assert/strict";
import { test } from "node:test";
import { secretboxOpen, secretboxSeal } from "./secretbox.ts";

// Vector produced by golang.org/x/crypto/nacl/secretbox.Seal (the implementation cosign links).
const GO_VECTOR =
  "173e3d707adeebb47e80ad486ce0a1b902be97dc2695e4d888c265d963dfc1714edd46226835d1ba0ea3f429ce401b5148881aedb33491f5ed09314f34289f2c91c7f07d7ef543de8b6ec5997f192cdd834c82b814dfa27b417019ff54d8cfba64a0b342ebac2163faf4ff5afc6d775f5a6e47ce531af016dba4996648a797316838886ffb187a4808c358fe807aa4453e8783";

const key = Uint8Array.from({ length: 32 }, (_, i) => i);
const nonce = Uint8Array.from({ length: 24 }, (_, i) => 100 + i);
const msg = Uint8Array.from({ length: 131 }, (_, i) => (i * 7) & 0xff);

test("secretboxSeal matches Go's nacl/secretbox byte for byte", () => {
  assert.equal(Buffer.from(secretboxSeal(msg, nonce, key)).toString("hex"), GO_VECTOR);
});

test("secretboxOpen opens Go's box and refuses tampering", () => {
  const box = Buffer.from(GO_VECTOR, "hex");
  assert.deepEqual(secretboxOpen(box, nonce, key), msg);
  const cases: Array<[string, Uint8Array, Uint8Array]> = [
    ["flipped ciphertext bit", Uint8Array.from(box, (b, i) => (i === 40 ? b ^ 1 : b)), key],
    ["flipped tag bit", Uint8Array.from(box, (b, i) => (i === 0 ? b ^ 1 : b)), key],
    ["wrong key", box, Uint8Array.from(key, (b) => b ^ 0xff)],
    ["truncated", box.subarray(0, 10), key],
  ];
  for (const [name, b, k] of cases) assert.equal(secretboxOpen(b, nonce, k), undefined, name);
});

test("empty plaintext round-trips", () => {
  const box = secretboxSeal(new Uint8Array(0), nonce, key);
  assert.equal(box.length, 16);
  assert.deepEqual(secretboxOpen(box, nonce, key), new Uint8Array(0));
});
