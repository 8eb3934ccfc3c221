/**
 * NaCl `secretbox` (XSalsa20 + Poly1305), the cipher cosign's encrypted private keys use. Node's OpenSSL has
 * neither XSalsa20 nor a standalone Poly1305 under that construction, so both are written out here; they only
 * ever touch a few hundred bytes (a PKCS#8 key), so clarity wins over speed. Output layout is NaCl's:
 * 16-byte tag, then ciphertext.
 */
import { timingSafeEqual } from "node:crypto";

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(v: number, n: number): number {
  return ((v << n) | (v >>> (32 - n))) >>> 0;
}

/** 20 rounds of the Salsa20 core over a 16-word state; returns the permuted words (without feed-forward). */
function salsaRounds(input: Uint32Array): Uint32Array {
  const x = Uint32Array.from(input);
  const qr = (a: number, b: number, c: number, d: number) => {
    x[b] = (x[b] ?? 0) ^ rotl(((x[a] ?? 0) + (x[d] ?? 0)) >>> 0, 7);
    x[c] = (x[c] ?? 0) ^ rotl(((x[b] ?? 0) + (x[a] ?? 0)) >>> 0, 9);
    x[d] = (x[d] ?? 0) ^ rotl(((x[c] ?? 0) + (x[b] ?? 0)) >>> 0, 13);
    x[a] = (x[a] ?? 0) ^ rotl(((x[d] ?? 0) + (x[c] ?? 0)) >>> 0, 18);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(5, 9, 13, 1);
    qr(10, 14, 2, 6);
    qr(15, 3, 7, 11);
    qr(0, 1, 2, 3);
    qr(5, 6, 7, 4);
    qr(10, 11, 8, 9);
    qr(15, 12, 13, 14);
  }
  return x;
}

function words(bytes: Uint8Array, offset: number, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  return Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
}

function state(key: Uint8Array, in16: Uint8Array): Uint32Array {
  const k = words(key, 0, 8);
  const n = words(in16, 0, 4);
  return Uint32Array.from([
    SIGMA[0] ?? 0,
    k[0] ?? 0,
    k[1] ?? 0,
    k[2] ?? 0,
    k[3] ?? 0,
    SIGMA[1] ?? 0,
    n[0] ?? 0,
    n[1] ?? 0,
    n[2] ?? 0,
    n[3] ?? 0,
    SIGMA[2] ?? 0,
    k[4] ?? 0,
    k[5] ?? 0,
    k[6] ?? 0,
    k[7] ?? 0,
    SIGMA[3] ?? 0,
  ]);
}

/** HSalsa20: derives the XSalsa20 subkey from the key and the first 16 nonce bytes. */
function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = salsaRounds(state(key, nonce16));
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((idx, i) => {
    view.setUint32(i * 4, x[idx] ?? 0, true);
  });
  return out;
}

/** Salsa20 keystream of `length` bytes for a 32-byte key and 8-byte nonce, block counter from 0. */
function salsa20Stream(key: Uint8Array, nonce8: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const in16 = new Uint8Array(16);
  in16.set(nonce8, 0);
  for (let block = 0, pos = 0; pos < length; block++, pos += 64) {
    new DataView(in16.buffer).setBigUint64(8, BigInt(block), true);
    const input = state(key, in16);
    const x = salsaRounds(input);
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 16; i++) view.setUint32(i * 4, ((x[i] ?? 0) + (input[i] ?? 0)) >>> 0, true);
    out.set(bytes.subarray(0, Math.min(64, length - pos)), pos);
  }
  return out;
}

const P1305 = (1n << 130n) - 5n;

function leBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const r = leBigInt(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBigInt(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, Math.min(i + 16, msg.length));
    const n = leBigInt(chunk) | (1n << BigInt(8 * chunk.length));
    acc = ((acc + n) * r) % P1305;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const tag = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    tag[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
  return tag;
}

function check(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== 32) throw new RangeError("secretbox key must be 32 bytes");
  if (nonce.length !== 24) throw new RangeError("secretbox nonce must be 24 bytes");
}

function keystream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  return salsa20Stream(hsalsa20(key, nonce.subarray(0, 16)), nonce.subarray(16, 24), length + 32);
}

/** Encrypts and authenticates `plaintext`; returns tag ‖ ciphertext. */
export function secretboxSeal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  check(key, nonce);
  const ks = keystream(key, nonce, plaintext.length);
  const out = new Uint8Array(16 + plaintext.length);
  for (let i = 0; i < plaintext.length; i++) out[16 + i] = (plaintext[i] ?? 0) ^ (ks[32 + i] ?? 0);
  out.set(poly1305(ks.subarray(0, 32), out.subarray(16)), 0);
  return out;
}

/** Verifies and decrypts tag ‖ ciphertext; undefined when authentication fails (wrong key or tampered box). */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  check(key, nonce);
  if (box.length < 16) return undefined;
  const ciphertext = box.subarray(16);
  const ks = keystream(key, nonce, ciphertext.length);
  const tag = poly1305(ks.subarray(0, 32), ciphertext);
  if (!timingSafeEqual(tag, box.subarray(0, 16))) return undefined;
  const out = new Uint8Array(ciphertext.length);
  for (let i = 0; i < ciphertext.length; i++) out[i] = (ciphertext[i] ?? 0) ^ (ks[32 + i] ?? 0);
  return out;
}
