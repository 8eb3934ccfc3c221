/**
 * Converts between a legacy `.sig` layer and a Sigstore bundle, so one verifier serves both storage
 * formats: a legacy signature becomes a v0.1 message-signature bundle (the Rekor "bundle" annotation is
 * exactly a v0.1 inclusion promise), and a keyless message-signature bundle becomes layer annotations.
 */
import { X509Certificate } from "node:crypto";
import { BUNDLE_V01_MEDIA_TYPE, type Bundle, toMessageSignatureBundle } from "@sigstore/bundle";
import type { LegacySignature } from "./store-legacy.ts";
import { sha256 } from "./store-legacy.ts";

interface RekorBundleJSON {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from((m[1] ?? "").replace(/\s+/g, ""), "base64"));
  }
  return out;
}

function derToPem(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

/** A legacy signature as a bundle; `payload` is the signed artifact for @sigstore/verify's toSignedEntity. */
export function legacyToBundle(sig: LegacySignature): Bundle {
  const certs = sig.certificate ? [...pemToDer(sig.certificate), ...pemToDer(sig.chain ?? "")] : [];
  const bundle = toMessageSignatureBundle({
    digest: sha256(sig.payload),
    signature: Buffer.from(sig.signature, "base64"),
    ...(certs[0] ? { certificate: certs[0], certificateChain: true } : { keyHint: "" }),
  }) as Bundle;
  bundle.mediaType = BUNDLE_V01_MEDIA_TYPE;
  if (certs.length > 1 && bundle.verificationMaterial.content?.$case === "x509CertificateChain") {
    bundle.verificationMaterial.content.x509CertificateChain.certificates = certs.map((rawBytes) => ({
      rawBytes,
    }));
  }
  if (sig.rekorBundle) {
    const rb = JSON.parse(sig.rekorBundle) as RekorBundleJSON;
    const body = Buffer.from(rb.Payload.body, "base64");
    const kind = JSON.parse(body.toString("utf8")) as { kind?: string; apiVersion?: string };
    bundle.verificationMaterial.tlogEntries = [
      {
        logIndex: String(rb.Payload.logIndex),
        logId: { keyId: Buffer.from(rb.Payload.logID, "hex") },
        kindVersion: { kind: kind.kind ?? "hashedrekord", version: kind.apiVersion ?? "0.0.1" },
        integratedTime: String(rb.Payload.integratedTime),
        inclusionPromise: { signedEntryTimestamp: Buffer.from(rb.SignedEntryTimestamp, "base64") },
        inclusionProof: undefined,
        canonicalizedBody: body,
      },
    ];
  }
  return bundle;
}

/** The layer annotations of a message-signature bundle (keyless: certificate, chain, Rekor bundle). */
export function bundleToLegacy(bundle: Bundle, payload: Uint8Array): LegacySignature {
  if (bundle.content.$case !== "messageSignature")
    throw new TypeError("legacy signatures need a message signature");
  const sig: LegacySignature = {
    payload,
    signature: Buffer.from(bundle.content.messageSignature.signature).toString("base64"),
  };
  const vm = bundle.verificationMaterial.content;
  const certs =
    vm?.$case === "x509CertificateChain"
      ? vm.x509CertificateChain.certificates.map((c) => c.rawBytes)
      : vm?.$case === "certificate"
        ? [vm.certificate.rawBytes]
        : [];
  if (certs[0]) {
    sig.certificate = derToPem(certs[0]);
    if (certs.length > 1) sig.chain = certs.slice(1).map(derToPem).join("");
  }
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (entry?.inclusionPromise && entry.logId) {
    const rb: RekorBundleJSON = {
      SignedEntryTimestamp: Buffer.from(entry.inclusionPromise.signedEntryTimestamp).toString("base64"),
      Payload: {
        body: Buffer.from(entry.canonicalizedBody).toString("base64"),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: Buffer.from(entry.logId.keyId).toString("hex"),
      },
    };
    sig.rekorBundle = JSON.stringify(rb);
  }
  return sig;
}
