/**
 * Signing an artifact the way cosign 3 does: resolve the reference to a digest, sign an in-toto statement
 * naming that digest (bundle format, DSSE) or the simple-signing payload (legacy format), with a private
 * key or keyless (ephemeral key + Fulcio certificate for an OIDC identity), optionally witnessed by Rekor,
 * and store the result next to the artifact.
 */
import { createPublicKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import { type Bundle, bundleToJSON } from "@sigstore/bundle";
// Loaded on first use: @sigstore/sign and its HTTP stack cost ~200 ms of startup every other command would pay.
import type { Signer, Witness } from "@sigstore/sign";
import { formatReference, type OciClient } from "../oci/index.ts";
import { SigningError } from "./errors.ts";
import { keyHint, publicKeyPEM } from "./keys.ts";
import { bundleToLegacy } from "./legacy-bundle.ts";
import {
  COSIGN_SIGN_PREDICATE,
  INTOTO_PAYLOAD_TYPE,
  signStatement,
  simpleSigningPayload,
} from "./payload.ts";
import { ociSignatureRegistry, type Reference } from "./registry.ts";
import { writeBundle } from "./store-bundle.ts";
import { writeLegacySignature } from "./store-legacy.ts";

type SigstoreSign = typeof import("@sigstore/sign");

export type SignatureFormat = "bundle" | "legacy";

export type SigningMaterial =
  | { kind: "key"; privateKey: KeyObject }
  | { kind: "keyless"; identityToken: () => Promise<string>; fulcioURL: string };

export interface SignArtifactOptions {
  /** The OCI client (credentials, transport) to read and write signatures with. */
  client: OciClient;
  /** The artifact, by tag (resolved to its digest first) or by digest. */
  reference: Reference;
  material: SigningMaterial;
  /** `bundle` (cosign 3 default: Sigstore bundle as an OCI referrer) or `legacy` (`sha256-<hex>.sig` tag). */
  format?: SignatureFormat;
  /** Upload to this Rekor (required for keyless; optional for keys, like cosign's --tlog-upload). */
  rekorURL?: string | undefined;
  /** Also get an RFC 3161 timestamp from this TSA. */
  tsaURL?: string | undefined;
  /** Extra claims (`-a key=value` in cosign) recorded in the signed payload. */
  annotations?: Record<string, string>;
  /** HTTP timeout for Fulcio, Rekor and the TSA. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SignResult {
  /** `host/repo@sha256:…` that was signed. */
  reference: string;
  digest: string;
  format: SignatureFormat;
  /** Digest of the manifest that now holds the signature (referrer or `.sig` image). */
  signatureManifest: string;
  /** Rekor log index, when uploaded. */
  logIndex?: string | undefined;
}

/** A @sigstore/sign Signer over a private key: ECDSA/RSA/Ed25519 with SHA-256, DER signatures. */
export function keySigner(privateKey: KeyObject): Signer {
  const pub = createPublicKey(privateKey);
  const ed = privateKey.asymmetricKeyType === "ed25519";
  return {
    async sign(data: Buffer) {
      return {
        signature: cryptoSign(ed ? null : "sha256", data, privateKey),
        key: { $case: "publicKey", publicKey: publicKeyPEM(pub), hint: keyHint(pub) },
      };
    },
  };
}

function signerFor(lib: SigstoreSign, material: SigningMaterial, timeout: number): Signer {
  if (material.kind === "key") return keySigner(material.privateKey);
  return new lib.FulcioSigner({
    fulcioBaseURL: material.fulcioURL,
    identityProvider: { getToken: material.identityToken },
    timeout,
    retry: 1,
  });
}

export async function signArtifact(opts: SignArtifactOptions): Promise<SignResult> {
  const { signal } = opts;
  const registry = ociSignatureRegistry(opts.client);
  const format = opts.format ?? "bundle";
  const timeout = opts.timeoutMs ?? 30_000;
  const subject = await registry.resolve(opts.reference, { signal });
  const repo = { registry: opts.reference.registry, repository: opts.reference.repository };
  const name = formatReference({ ...repo, digest: subject.digest });
  if (opts.material.kind === "keyless" && !opts.rekorURL) {
    throw new SigningError(name, `keyless signing of ${name} needs a Rekor URL: pass --rekor-url`);
  }
  const lib = await import("@sigstore/sign");
  const witnesses: Witness[] = [];
  if (opts.rekorURL) {
    witnesses.push(
      new lib.RekorWitness({
        rekorBaseURL: opts.rekorURL,
        // dsse entries, as cosign 3 makes them.
        entryType: "dsse",
        fetchOnConflict: true,
        timeout,
        retry: 1,
      }),
    );
  }
  if (opts.tsaURL) witnesses.push(new lib.TSAWitness({ tsaBaseURL: opts.tsaURL, timeout, retry: 1 }));
  const signer = signerFor(lib, opts.material, timeout);
  signal?.throwIfAborted();

  let bundle: Bundle;
  let stored: { digest: string };
  try {
    if (format === "bundle") {
      const builder = new lib.DSSEBundleBuilder({ signer, witnesses, certificateChain: false });
      bundle = await builder.create({
        data: signStatement(subject.digest, opts.annotations),
        type: INTOTO_PAYLOAD_TYPE,
      });
      // cosign leaves the DSSE keyid empty; a non-empty one that is not the verifier's hex key ID makes
      // go-securesystemslib (and so cosign verify) skip the signature.
      if (bundle.content.$case === "dsseEnvelope") {
        for (const sig of bundle.content.dsseEnvelope.signatures) sig.keyid = "";
      }
    } else {
      const payload = simpleSigningPayload(
        `${repo.registry}/${repo.repository}`,
        subject.digest,
        opts.annotations,
      );
      const builder = new lib.MessageSignatureBundleBuilder({ signer, witnesses });
      bundle = await builder.create({ data: payload });
      signal?.throwIfAborted();
      stored = await writeLegacySignature(registry, repo, subject.digest, bundleToLegacy(bundle, payload), {
        signal,
      });
      return result(name, subject.digest, format, stored.digest, bundle);
    }
  } catch (cause) {
    if (cause instanceof SigningError) throw cause;
    signal?.throwIfAborted();
    throw new SigningError(name, `signing ${name} failed: ${describeSigstoreError(cause)}`, { cause });
  }
  signal?.throwIfAborted();
  const json = Buffer.from(JSON.stringify(bundleToJSON(bundle)));
  stored = await writeBundle(registry, repo, subject, json, { predicateType: COSIGN_SIGN_PREDICATE, signal });
  return result(name, subject.digest, format, stored.digest, bundle);
}

function result(
  name: string,
  digest: string,
  format: SignatureFormat,
  manifest: string,
  bundle: Bundle,
): SignResult {
  return {
    reference: name,
    digest,
    format,
    signatureManifest: manifest,
    logIndex: bundle.verificationMaterial.tlogEntries[0]?.logIndex,
  };
}

/** One line from a @sigstore/sign error (they nest the HTTP cause). */
export function describeSigstoreError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    if (!parts.includes(cur.message)) parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(": ") || String(err);
}
