/**
 * Signature verification of an OCIRepository's artifact (`spec.verify`, provider cosign) through the
 * signing module: public keys from the `*.pub` keys of `verify.secretRef`, or keyless with
 * `matchOIDCIdentity` against the trusted root of `verify.trustedRootSecretRef` (`trusted_root.json`) or
 * the agent's. Keyless without `matchOIDCIdentity` behaves as source-controller's cosign v3: a legacy
 * signature from any identity passes when no Sigstore bundle is attached; with bundles (cosign then reads
 * only those) verification fails, sigstore-go needing an identity. Results
 * are remembered per digest and policy (`VerificationCache`), so an unchanged digest is not verified again.
 */
import { createHash } from "node:crypto";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient } from "../../kube/index.ts";
import type { OciClient, Reference } from "../../oci/index.ts";
import {
  type IdentityPattern,
  parseTrustedRoot,
  type VerifiedArtifact,
  type VerifyPolicy,
  verifyArtifact,
} from "../../sign/index.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";

export interface VerifySpec {
  provider: string;
  secretRef?: { name: string } | undefined;
  trustedRootSecretRef?: { name: string } | undefined;
  matchOIDCIdentity?: Array<{ issuer: string; subject: string }> | undefined;
}

export interface PolicyWithId {
  policy: VerifyPolicy;
  /** Hash of everything the policy depends on (keys, identities, trusted root). */
  id: string;
  provider: string;
  /** Keyless without `matchOIDCIdentity`: legacy signatures from any identity, bundles refused. */
  anyIdentity?: boolean;
}

/** Remembers successful verifications by digest and policy; bounded (oldest forgotten first). */
export class VerificationCache {
  private readonly entries = new Map<string, VerifiedArtifact>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  get(digest: string, policyId: string): VerifiedArtifact | undefined {
    return this.entries.get(`${digest} ${policyId}`);
  }

  set(digest: string, policyId: string, v: VerifiedArtifact): void {
    const k = `${digest} ${policyId}`;
    this.entries.delete(k);
    this.entries.set(k, v);
    if (this.entries.size > this.max) {
      const first = this.entries.keys().next().value;
      if (first !== undefined) this.entries.delete(first);
    }
  }
}

function verifyFailed(object: string, provider: string, detail: string, cause?: unknown, stalled = false) {
  return new OCIRepositoryError(
    object,
    "SourceVerified",
    Reasons.verificationError,
    `failed to verify the signature using provider '${provider}': ${detail}`,
    { cause, stalled },
  );
}

async function secretData(
  kube: KubeClient,
  object: string,
  provider: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const s = await getObject(
    kube,
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace } },
    { signal },
  ).catch((err: unknown) => {
    throw verifyFailed(
      object,
      provider,
      `failed to get secret '${namespace}/${name}': ${describe(err)}`,
      err,
    );
  });
  if (!s) throw verifyFailed(object, provider, `secret '${namespace}/${name}' not found`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((s.data as Record<string, string> | undefined) ?? {})) {
    out[k] = Buffer.from(v, "base64").toString("utf8");
  }
  return out;
}

/**
 * The identities a keyless policy accepts. None listed: any, as source-controller (cosign's CheckOpts
 * without identities) for a legacy signature; a bundle is refused afterwards (verifyReference), as
 * sigstore-go refuses to build a policy without an identity.
 */
function keylessIdentities(ids: Array<{ issuer: string; subject: string }>): IdentityPattern[] {
  if (ids.length === 0) return [{ issuer: ".*", subject: ".*" }];
  return ids.map((i) => ({ issuer: i.issuer, subject: i.subject }));
}

/** The verification policy of `spec.verify`; errors name the secret, never its content. */
export async function verificationPolicy(
  kube: KubeClient,
  object: string,
  namespace: string,
  spec: VerifySpec,
  opts: { signal: AbortSignal; trustedRoot?: TrustedRoot | undefined },
): Promise<PolicyWithId> {
  const keyless = !spec.secretRef;
  const provider = spec.provider === "cosign" && keyless ? "cosign keyless" : spec.provider;
  if (spec.provider !== "cosign") {
    throw verifyFailed(
      object,
      provider,
      `provider '${spec.provider}' is not supported by Ferry; use provider: cosign`,
      undefined,
      true,
    );
  }
  const h = createHash("sha256");
  const policy: VerifyPolicy = {};
  if (spec.trustedRootSecretRef) {
    const data = await secretData(
      kube,
      object,
      provider,
      namespace,
      spec.trustedRootSecretRef.name,
      opts.signal,
    );
    const json = data["trusted_root.json"];
    if (json === undefined) {
      throw verifyFailed(
        object,
        provider,
        `'trusted_root.json' not found in secret '${namespace}/${spec.trustedRootSecretRef.name}'`,
      );
    }
    try {
      policy.trustedRoot = parseTrustedRoot(json, `secret ${namespace}/${spec.trustedRootSecretRef.name}`);
    } catch (err) {
      throw verifyFailed(
        object,
        provider,
        `'trusted_root.json' in secret '${namespace}/${spec.trustedRootSecretRef.name}' is invalid: ${describe(err)}`,
        err,
      );
    }
    h.update(`root\0${json}\0`);
  } else if (opts.trustedRoot) {
    policy.trustedRoot = opts.trustedRoot;
    h.update("root\0agent\0");
  }
  if (spec.secretRef) {
    const data = await secretData(kube, object, provider, namespace, spec.secretRef.name, opts.signal);
    const keys = Object.keys(data)
      .filter((k) => k.endsWith(".pub"))
      .sort()
      .map((k) => data[k] ?? "");
    if (keys.length === 0) {
      throw verifyFailed(
        object,
        provider,
        `no public keys (*.pub) found in secret '${namespace}/${spec.secretRef.name}'`,
      );
    }
    policy.keys = keys;
    for (const k of keys) h.update(`key\0${k}\0`);
  } else {
    if (!policy.trustedRoot) {
      throw verifyFailed(
        object,
        provider,
        "keyless verification needs a trusted root: set spec.verify.trustedRootSecretRef to a secret with trusted_root.json",
        undefined,
        true,
      );
    }
    policy.identities = keylessIdentities(spec.matchOIDCIdentity ?? []);
    for (const i of policy.identities) h.update(`id\0${i.issuer}\0${i.subject}\0`);
  }
  const anyIdentity = !spec.secretRef && (spec.matchOIDCIdentity ?? []).length === 0;
  return { policy, id: h.digest("hex"), provider, ...(anyIdentity ? { anyIdentity } : {}) };
}

/**
 * What source-controller reports for a Sigstore bundle verified without `matchOIDCIdentity`: cosign hands the
 * bundle to sigstore-go with no identity policy, which refuses to build one. Legacy `.sig` signatures are
 * checked by cosign itself, which accepts any identity then.
 */
export const NO_IDENTITY_BUNDLE =
  "no matching attestations: failed to build policy: can't verify identities without providing at least one identity; set spec.verify.matchOIDCIdentity to the signer's issuer and subject";

/** Verifies the artifact at `reference` (by digest); a cached success for the digest skips the registry. */
export async function verifyReference(
  object: string,
  client: OciClient,
  reference: Reference & { digest: string },
  p: PolicyWithId,
  cache: VerificationCache,
  opts: { signal: AbortSignal },
): Promise<{ verified: VerifiedArtifact; cached: boolean }> {
  const hit = cache.get(reference.digest, p.id);
  if (hit) return { verified: hit, cached: true };
  // cosign (inside source-controller) reads only the bundles when there are any, and fails them without an
  // identity; without bundles (or when they cannot be listed) it falls back to legacy signatures.
  if (p.anyIdentity && (await hasBundles(client, reference, opts.signal))) {
    throw verifyFailed(object, p.provider, NO_IDENTITY_BUNDLE);
  }
  try {
    const v = await verifyArtifact({
      client,
      reference,
      digest: reference.digest,
      policy: p.policy,
      signal: opts.signal,
    });
    if (p.anyIdentity && v.format === "bundle") throw verifyFailed(object, p.provider, NO_IDENTITY_BUNDLE);
    cache.set(reference.digest, p.id, v);
    return { verified: v, cached: false };
  } catch (err) {
    if (err instanceof OCIRepositoryError) throw err;
    throw verifyFailed(object, p.provider, describe(err), err);
  }
}

/** Whether Sigstore bundles are attached to the digest (referrers API or its fallback tag). */
async function hasBundles(
  client: OciClient,
  reference: Reference & { digest: string },
  signal: AbortSignal,
): Promise<boolean> {
  try {
    const r = await client.listReferrers(reference, reference.digest, { signal });
    return r.referrers.some((d) => d.artifactType?.startsWith(BUNDLE_TYPE_PREFIX));
  } catch (err) {
    if (signal.aborted) throw err;
    return false;
  }
}

const BUNDLE_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";
