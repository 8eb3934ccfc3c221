/**
 * Verification: finds an artifact's signatures in both storage formats (bundle referrers and the legacy
 * `.sig` tag), checks each cryptographically (public keys, or keyless: Fulcio chain + SCT + Rekor entry
 * against a trusted root), checks that what was signed names this very digest, then applies the identity
 * policy. One valid signature is enough. When none is, the error names the most telling reason.
 */
import type { KeyObject } from "node:crypto";
import { type Bundle, bundleFromJSON } from "@sigstore/bundle";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import {
  type SignedEntity,
  VerificationError as SigstoreVerificationError,
  toSignedEntity,
  toTrustMaterial,
  Verifier,
} from "@sigstore/verify";
import { UsageError } from "../errors/index.ts";
import { formatReference, type OciClient } from "../oci/index.ts";
import { VerificationError, type VerifyReason } from "./errors.ts";
import { keyHint, loadPublicKey } from "./keys.ts";
import { legacyToBundle } from "./legacy-bundle.ts";
import { signedDigests } from "./payload.ts";
import { compileIdentities, type FoundIdentity, type IdentityPattern, matchIdentity } from "./policy.ts";
import { ociSignatureRegistry, type Reference } from "./registry.ts";
import { readBundles } from "./store-bundle.ts";
import { readLegacySignatures } from "./store-legacy.ts";
import { emptyTrustedRoot } from "./trust.ts";

export interface VerifyPolicy {
  /** PEM public keys (cosign.pub); a signature by any of them is accepted. */
  keys?: readonly string[] | undefined;
  /** Keyless: accepted OIDC identities (issuer and subject regular expressions; any entry may match). */
  identities?: readonly IdentityPattern[] | undefined;
  /** Trusted root for keyless signatures (and for Rekor entries of key signatures). */
  trustedRoot?: TrustedRoot | undefined;
}

export interface VerifyArtifactOptions {
  /** The OCI client (credentials, transport) to read and write signatures with. */
  client: OciClient;
  /** The artifact by tag or digest. */
  reference: Reference;
  /** The digest the caller expects (e.g. the one it pulled): a tag resolving elsewhere is a digest mismatch. */
  digest?: string | undefined;
  policy: VerifyPolicy;
  signal?: AbortSignal;
}

export type VerifiedIdentity = { kind: "key"; keyHint: string } | ({ kind: "keyless" } & FoundIdentity);

export interface VerifiedArtifact {
  /** `host/repo@sha256:…` */
  reference: string;
  digest: string;
  identity: VerifiedIdentity;
  /** Where the accepted signature was stored. */
  format: "bundle" | "legacy";
}

interface Candidate {
  format: "bundle" | "legacy";
  bundle?: Bundle;
  /** For message signatures: the signed bytes. */
  payload?: Buffer;
  parseError?: string;
}

interface Failure {
  reason: VerifyReason;
  detail: string;
  found?: FoundIdentity;
}

/** Signatures examined per artifact at most, bundles first, then legacy layers. */
const MAX_SIGNATURES = 64;

/** Most telling first: a valid signature for another artifact says more than a broken one. */
const PRIORITY: VerifyReason[] = [
  "digest-mismatch",
  "identity-mismatch",
  "untrusted-certificate",
  "untrusted-tlog",
  "wrong-key",
  "invalid-signature",
  "no-signature",
];

export async function verifyArtifact(opts: VerifyArtifactOptions): Promise<VerifiedArtifact> {
  const { policy, signal } = opts;
  const registry = ociSignatureRegistry(opts.client);
  const keys = (policy.keys ?? []).map((pem, i) => loadPublicKey(pem, `policy key ${i + 1}`));
  const identities = compileIdentities(policy.identities ?? []);
  if (keys.length === 0 && identities.length === 0) {
    throw new UsageError(
      "a verification policy needs public keys or keyless identities (issuer and subject)",
    );
  }
  if (identities.length > 0 && !policy.trustedRoot) {
    throw new UsageError("keyless verification needs a trusted root (Fulcio CA, Rekor and CT log keys)");
  }
  const head = await registry.resolve(opts.reference, { signal });
  const repo = { registry: opts.reference.registry, repository: opts.reference.repository };
  const name = formatReference({ ...repo, digest: head.digest });
  if (opts.digest && opts.digest !== head.digest) {
    throw new VerificationError(
      "digest-mismatch",
      name,
      `${formatReference(opts.reference)} resolves to ${head.digest}, not the expected ${opts.digest}: the tag was moved or re-pushed; verify the digest you intend to deploy`,
    );
  }
  const ref = { ...repo, digest: head.digest };
  const candidates: Candidate[] = [];
  // Bounded: a registry (or anyone with push rights) could attach thousands, each a fetch and a verification.
  for (const b of await readBundles(registry, ref, { signal, limit: MAX_SIGNATURES })) {
    try {
      candidates.push({
        format: "bundle",
        bundle: bundleFromJSON(JSON.parse(Buffer.from(b.bytes).toString("utf8"))),
      });
    } catch (err) {
      candidates.push({ format: "bundle", parseError: (err as Error).message });
    }
  }
  const room = MAX_SIGNATURES - candidates.length;
  for (const s of await readLegacySignatures(registry, repo, head.digest, { signal, limit: room })) {
    try {
      candidates.push({ format: "legacy", bundle: legacyToBundle(s), payload: Buffer.from(s.payload) });
    } catch (err) {
      candidates.push({ format: "legacy", parseError: (err as Error).message });
    }
  }
  if (candidates.length === 0) {
    throw new VerificationError(
      "no-signature",
      name,
      `no signature found for ${name} (looked for Sigstore bundle referrers and the ${head.digest.replace(":", "-")}.sig tag): sign it with ferry sign, or check the reference`,
    );
  }
  const failures: Failure[] = [];
  for (const c of candidates) {
    const r = checkCandidate(c, head.digest, keys, identities, policy.trustedRoot);
    if ("failure" in r) failures.push(r.failure);
    else return { reference: name, digest: head.digest, identity: r.identity, format: c.format };
  }
  throw explain(name, failures);
}

function checkCandidate(
  c: Candidate,
  digest: string,
  keys: KeyObject[],
  identities: ReturnType<typeof compileIdentities>,
  trustedRoot: TrustedRoot | undefined,
): { identity: VerifiedIdentity } | { failure: Failure } {
  if (!c.bundle)
    return { failure: { reason: "invalid-signature", detail: `it is unreadable (${c.parseError})` } };
  const bundle = c.bundle;
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, c.payload);
  } catch (err) {
    return {
      failure: {
        reason: "invalid-signature",
        detail: `it is a malformed bundle (${(err as Error).message})`,
      },
    };
  }
  const signed = signedPayload(bundle, c.payload);
  const isKeyless = bundle.verificationMaterial.content?.$case !== "publicKey";

  let identity: VerifiedIdentity | undefined;
  let failure: Failure | undefined;
  if (isKeyless && identities.length > 0 && trustedRoot) {
    const r = verifyKeyless(entity, trustedRoot);
    if ("failure" in r) return r;
    if (!matchIdentity(identities, r.found)) {
      failure = {
        reason: "identity-mismatch",
        detail: `it was signed by issuer ${r.found.issuer}, subject ${r.found.subject}, which no policy entry matches`,
        found: r.found,
      };
    } else identity = { kind: "keyless", ...r.found };
  } else if (!isKeyless && keys.length > 0) {
    const r = verifyWithKeys(entity, keys, trustedRoot);
    if ("failure" in r) return r;
    identity = r.identity;
  } else if (isKeyless) {
    return {
      failure: {
        reason: "wrong-key",
        detail: "it is keyless (a Fulcio certificate), but the policy has only public keys",
      },
    };
  } else {
    return {
      failure: {
        reason: "wrong-key",
        detail: "it was made with a key pair, but the policy has only keyless identities",
      },
    };
  }
  // Only now does it matter what was signed: a valid signature for another digest was copied here.
  const d = signedDigests(signed);
  if ("problem" in d) return { failure: { reason: "invalid-signature", detail: d.problem } };
  if (!d.digests.includes(digest)) {
    return {
      failure: {
        reason: "digest-mismatch",
        detail: `it is a valid signature for ${d.digests.join(", ") || "no digest"}, copied from another artifact`,
      },
    };
  }
  if (failure) return { failure };
  if (!identity) return { failure: { reason: "invalid-signature", detail: "no identity" } };
  return { identity };
}

function signedPayload(bundle: Bundle, payload: Buffer | undefined): Buffer {
  if (bundle.content.$case === "dsseEnvelope") return Buffer.from(bundle.content.dsseEnvelope.payload);
  return payload ?? Buffer.alloc(0);
}

function verifyWithKeys(
  entity: SignedEntity,
  keys: KeyObject[],
  trustedRoot: TrustedRoot | undefined,
): { identity: VerifiedIdentity } | { failure: Failure } {
  // Without a trusted root the Rekor entries cannot be checked; like cosign --insecure-ignore-tlog, they are skipped.
  const e: SignedEntity = trustedRoot ? entity : { ...entity, tlogEntries: [], timestamps: [] };
  let last: Failure = { reason: "wrong-key", detail: "it was not made by any of the given public keys" };
  for (const key of keys) {
    const material = toTrustMaterial(trustedRoot ?? emptyTrustedRoot(), () => ({
      publicKey: key,
      validFor: () => true,
    }));
    const verifier = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    try {
      verifier.verify(e);
      return { identity: { kind: "key", keyHint: keyHint(key) } };
    } catch (err) {
      const f = classify(err);
      if (f.reason !== "invalid-signature") last = f;
    }
  }
  return { failure: last };
}

function verifyKeyless(
  entity: SignedEntity,
  trustedRoot: TrustedRoot,
): { found: FoundIdentity } | { failure: Failure } {
  const verifier = new Verifier(toTrustMaterial(trustedRoot), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
    timestampThreshold: 1,
  });
  try {
    const signer = verifier.verify(entity);
    return {
      found: {
        issuer: signer.identity?.extensions?.issuer ?? "",
        subject: signer.identity?.subjectAlternativeName ?? "",
      },
    };
  } catch (err) {
    const f = classify(err);
    if (f.reason === "untrusted-certificate") f.detail = certificateProblem(entity) ?? f.detail;
    return { failure: f };
  }
}

/** Says "expired" plainly when the leaf certificate was not valid at the time the log recorded the signature. */
function certificateProblem(entity: SignedEntity): string | undefined {
  if (entity.key.$case !== "certificate") return undefined;
  const cert = entity.key.certificate;
  for (const t of entity.tlogEntries) {
    const at = new Date(Number(t.integratedTime) * 1000);
    if (at < cert.notBefore || at > cert.notAfter) {
      return `its certificate had expired: valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, but the signature was logged at ${at.toISOString()}`;
    }
  }
  return undefined;
}

function classify(err: unknown): Failure {
  if (err instanceof SigstoreVerificationError) {
    const detail = err.message;
    switch (err.code) {
      case "SIGNATURE_ERROR":
      case "PUBLIC_KEY_ERROR":
        return { reason: "wrong-key", detail: "it does not verify with the given public key" };
      case "CERTIFICATE_ERROR":
        return { reason: "untrusted-certificate", detail: `its certificate is not trusted (${detail})` };
      case "TIMESTAMP_ERROR":
      case "TLOG_ERROR":
      case "TLOG_INCLUSION_PROOF_ERROR":
      case "TLOG_INCLUSION_PROMISE_ERROR":
      case "TLOG_MISSING_INCLUSION_ERROR":
      case "TLOG_BODY_ERROR":
        return { reason: "untrusted-tlog", detail: `its transparency log entry is not trusted (${detail})` };
      default:
        return { reason: "invalid-signature", detail };
    }
  }
  return { reason: "invalid-signature", detail: (err as Error)?.message ?? String(err) };
}

function explain(name: string, failures: Failure[]): VerificationError {
  failures.sort((a, b) => PRIORITY.indexOf(a.reason) - PRIORITY.indexOf(b.reason));
  const top = failures[0] as Failure;
  const found = failures.flatMap((f) => (f.found ? [`${f.found.issuer} ${f.found.subject}`] : []));
  const n =
    failures.length === 1
      ? "1 signature found:"
      : `${failures.length} signatures found, none verifies; closest:`;
  const hint: Record<VerifyReason, string> = {
    "digest-mismatch": "re-sign this digest",
    "identity-mismatch": "sign from an identity the policy accepts, or widen the issuer/subject patterns",
    "untrusted-certificate": "check the trusted root and that the certificate chains to its Fulcio CA",
    "untrusted-tlog": "check the trusted root's Rekor key",
    "wrong-key": "verify with the public key that matches the signing key",
    "invalid-signature": "re-sign the artifact",
    "no-signature": "sign it with ferry sign",
  };
  return new VerificationError(
    top.reason,
    name,
    `${name} failed verification (${top.reason}): ${n} ${top.detail}; ${hint[top.reason]}`,
    { found },
  );
}
