/**
 * `OCIRepository.spec.verify` (provider `cosign`) as a verification policy, with Flux's semantics: a
 * `secretRef` means key verification with every `*.pub` entry of the Secret (any may match, the
 * transparency log is not consulted, `matchOIDCIdentity` is not used); no `secretRef` means keyless with
 * the `matchOIDCIdentity` entries (none: any identity of the trusted Fulcio is accepted).
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { FerryError } from "../errors/index.ts";
import type { IdentityPattern } from "./policy.ts";
import type { VerifyPolicy } from "./verify.ts";

export interface FluxVerifySpec {
  provider: string;
  secretRef?: { name: string } | undefined;
  matchOIDCIdentity?: ReadonlyArray<{ issuer: string; subject: string }> | undefined;
}

/** The spec cannot be turned into a policy (unsupported provider, Secret without public keys). */
export class VerifyConfigError extends FerryError {
  override name = "VerifyConfigError";
}

export function policyFromFluxVerify(
  spec: FluxVerifySpec,
  opts: {
    /** Data of the Secret named by `secretRef` (values as stored: bytes or already-decoded text). */
    secretData?: Readonly<Record<string, string | Uint8Array>> | undefined;
    /** Trusted root for keyless verification (the public Sigstore one, or a private instance's). */
    trustedRoot?: TrustedRoot | undefined;
  } = {},
): VerifyPolicy {
  if (spec.provider !== "cosign") {
    throw new VerifyConfigError(`spec.verify.provider "${spec.provider}" is not supported; use "cosign"`);
  }
  if (spec.secretRef) {
    const keys = Object.entries(opts.secretData ?? {})
      .filter(([k]) => k.endsWith(".pub"))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => (typeof v === "string" ? v : Buffer.from(v).toString("utf8")));
    if (keys.length === 0) {
      throw new VerifyConfigError(
        `Secret ${spec.secretRef.name} has no *.pub entries; add the cosign public key as e.g. cosign.pub`,
      );
    }
    return { keys };
  }
  const identities: IdentityPattern[] = (spec.matchOIDCIdentity ?? []).map((m) => ({
    issuer: m.issuer,
    subject: m.subject,
  }));
  if (identities.length === 0) identities.push({ issuer: ".*", subject: ".*" });
  if (!opts.trustedRoot) {
    throw new VerifyConfigError(
      "keyless verification (no spec.verify.secretRef) needs a Sigstore trusted root",
    );
  }
  return { identities, trustedRoot: opts.trustedRoot };
}
