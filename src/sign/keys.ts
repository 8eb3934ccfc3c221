/**
 * cosign-format keys: ECDSA P-256 key pairs whose private half is PKCS#8 DER encrypted with scrypt +
 * NaCl secretbox inside an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block (the go-securesystemslib
 * "encrypted" JSON), and whose public half is a PKIX `PUBLIC KEY` PEM. Also reads plain PKCS#8
 * (`PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) PEMs, and the older `ENCRYPTED COSIGN PRIVATE KEY` label.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scrypt,
} from "node:crypto";
import { KeyError } from "./errors.ts";
import { secretboxOpen, secretboxSeal } from "./secretbox.ts";

export const SIGSTORE_PRIVATE_KEY_PEM = "ENCRYPTED SIGSTORE PRIVATE KEY";
export const COSIGN_PRIVATE_KEY_PEM = "ENCRYPTED COSIGN PRIVATE KEY";

/** scrypt parameters go-securesystemslib calls "Standard" (the ones cosign writes). */
const SCRYPT = { N: 65536, r: 8, p: 1 } as const;
/** Refuse absurd work factors from a hostile key file before allocating memory for them. */
const MAX_SCRYPT_N = 1 << 20;

export interface KeyPairPEM {
  /** `ENCRYPTED SIGSTORE PRIVATE KEY` PEM (cosign.key). */
  privateKey: string;
  /** `PUBLIC KEY` PEM (cosign.pub). */
  publicKey: string;
}

interface EncryptedJSON {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function parsePem(text: string): { label: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!m?.[1] || m[2] === undefined) return undefined;
  return { label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ""), "base64") };
}

function deriveKey(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
  signal?: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    scrypt(
      Buffer.from(password, "utf8"),
      salt,
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** Encrypts DER bytes the way go-securesystemslib's `encrypted.Encrypt` does; returns the JSON bytes. */
export async function encryptKeyBytes(
  plaintext: Uint8Array,
  password: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Buffer> {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = await deriveKey(password, salt, SCRYPT, opts.signal);
  const box = secretboxSeal(plaintext, nonce, key);
  const doc: EncryptedJSON = {
    kdf: { name: "scrypt", params: { ...SCRYPT }, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: Buffer.from(box).toString("base64"),
  };
  return Buffer.from(JSON.stringify(doc));
}

/** Decrypts go-securesystemslib `encrypted` JSON bytes; throws KeyError on a wrong password. */
export async function decryptKeyBytes(
  json: Uint8Array,
  password: string,
  source: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Buffer> {
  let doc: EncryptedJSON;
  try {
    doc = JSON.parse(Buffer.from(json).toString("utf8")) as EncryptedJSON;
  } catch (cause) {
    throw new KeyError(
      source,
      `private key ${source} is not a cosign encrypted key (bad JSON inside the PEM)`,
      {
        cause,
      },
    );
  }
  if (doc.kdf?.name !== "scrypt" || doc.cipher?.name !== "nacl/secretbox") {
    throw new KeyError(
      source,
      `private key ${source} uses kdf "${doc.kdf?.name}" / cipher "${doc.cipher?.name}"; only scrypt + nacl/secretbox (cosign's format) is supported`,
    );
  }
  const { N, r, p } = doc.kdf.params ?? {};
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || N > MAX_SCRYPT_N || N < 2) {
    throw new KeyError(
      source,
      `private key ${source} has unusable scrypt parameters; re-create it with ferry generate-key-pair`,
    );
  }
  const key = await deriveKey(password, Buffer.from(doc.kdf.salt, "base64"), { N, r, p }, opts.signal);
  const nonce = Buffer.from(doc.cipher.nonce, "base64");
  if (nonce.length !== 24) throw new KeyError(source, `private key ${source} has a nonce of the wrong size`);
  const out = secretboxOpen(Buffer.from(doc.ciphertext, "base64"), nonce, key);
  if (!out) {
    throw new KeyError(
      source,
      `cannot decrypt private key ${source}: wrong password (set COSIGN_PASSWORD to the password the key was created with)`,
    );
  }
  return Buffer.from(out);
}

/** Generates an ECDSA P-256 key pair in cosign's formats, the private key encrypted with `password`. */
export async function generateKeyPair(
  password: string,
  opts: { signal?: AbortSignal } = {},
): Promise<KeyPairPEM> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const enc = await encryptKeyBytes(pkcs8, password, opts);
  return {
    privateKey: pem(SIGSTORE_PRIVATE_KEY_PEM, enc),
    publicKey: publicKeyPEM(publicKey),
  };
}

export function publicKeyPEM(key: KeyObject): string {
  return pem("PUBLIC KEY", key.export({ type: "spki", format: "der" }));
}

/**
 * Loads a private key from PEM text: cosign's encrypted PEM (needs `password`), or plain PKCS#8 / SEC1 EC
 * PEM. `source` names where it came from, for error messages.
 */
export async function loadPrivateKey(
  text: string,
  opts: { password?: string; source: string; signal?: AbortSignal },
): Promise<KeyObject> {
  const block = parsePem(text);
  if (!block)
    throw new KeyError(opts.source, `private key ${opts.source} is not PEM; pass a cosign.key file`);
  try {
    if (block.label === SIGSTORE_PRIVATE_KEY_PEM || block.label === COSIGN_PRIVATE_KEY_PEM) {
      if (opts.password === undefined) {
        throw new KeyError(opts.source, `private key ${opts.source} is encrypted; set COSIGN_PASSWORD`);
      }
      const der = await decryptKeyBytes(block.der, opts.password, opts.source, { signal: opts.signal });
      return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    }
    if (block.label === "PRIVATE KEY")
      return createPrivateKey({ key: block.der, format: "der", type: "pkcs8" });
    if (block.label === "EC PRIVATE KEY")
      return createPrivateKey({ key: block.der, format: "der", type: "sec1" });
  } catch (cause) {
    if (cause instanceof KeyError) throw cause;
    throw new KeyError(opts.source, `cannot parse private key ${opts.source}: ${(cause as Error).message}`, {
      cause,
    });
  }
  throw new KeyError(
    opts.source,
    `private key ${opts.source} has PEM type "${block.label}"; expected ${SIGSTORE_PRIVATE_KEY_PEM}, PRIVATE KEY or EC PRIVATE KEY`,
  );
}

/** Loads a PKIX `PUBLIC KEY` PEM (cosign.pub), or the public key of a PEM certificate. */
export function loadPublicKey(text: string, source: string): KeyObject {
  try {
    return createPublicKey({ key: text, format: "pem" });
  } catch (cause) {
    throw new KeyError(source, `public key ${source} is not a PEM public key; pass a cosign.pub file`, {
      cause,
    });
  }
}

/** The key hint cosign and sigstore-go put in bundles: base64 of SHA-256 over the PKIX DER. */
export function keyHint(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(pub.export({ type: "spki", format: "der" }))
    .digest("base64");
}
