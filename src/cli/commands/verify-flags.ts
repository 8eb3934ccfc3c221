/**
 * Verification policy flags shared by `ferry verify` and `ferry promote` (`--key` / `--verify-key`, the
 * keyless identity flags, `--trusted-root`, `--skip-verify`), turned into verification callbacks.
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import type { OciClient, Reference } from "../../oci/index.ts";
import type { IdentityPattern, VerifiedArtifact, VerifyPolicy } from "../../sign/index.ts";
import type { CliContext } from "../context.ts";
import { abs, collect, readKeyRef } from "./sign-flags.ts";

/** The sign library, loaded when verification actually runs. */
const lib = () => import("../../sign/index.ts");

export interface PolicyFlags {
  /** `--key` on verify, `--verify-key` on promote. */
  key?: string[];
  verifyKey?: string[];
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
}

/** Adds the verification policy flags; `keyFlag` is `--key` on verify and `--verify-key` on promote. */
export function addPolicyOptions(cmd: Command, keyFlag: "--key" | "--verify-key" = "--key"): Command {
  return cmd
    .option(
      `${keyFlag} <path>`,
      "public key file (cosign.pub) or env://VAR (repeatable: any may match)",
      collect,
    )
    .option("--certificate-identity <subject>", "keyless: exact certificate subject")
    .option("--certificate-identity-regexp <regexp>", "keyless: certificate subject regular expression")
    .option("--certificate-oidc-issuer <issuer>", "keyless: exact OIDC issuer")
    .option("--certificate-oidc-issuer-regexp <regexp>", "keyless: OIDC issuer regular expression")
    .option("--trusted-root <file>", "trusted_root.json (default: the public Sigstore root via TUF)");
}

/** Identity flags → one policy entry, as cosign builds it (exact value or regexp for each side). */
export async function identityFromFlags(f: PolicyFlags): Promise<IdentityPattern | undefined> {
  const { exactPattern } = await lib();
  const subject = f.certificateIdentity ? exactPattern(f.certificateIdentity) : f.certificateIdentityRegexp;
  const issuer = f.certificateOidcIssuer
    ? exactPattern(f.certificateOidcIssuer)
    : f.certificateOidcIssuerRegexp;
  if (subject === undefined && issuer === undefined) return undefined;
  if (subject === undefined || issuer === undefined) {
    throw new UsageError(
      "keyless verification needs both --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp)",
    );
  }
  return { issuer, subject };
}

async function loadTrust(ctx: CliContext, path: string | undefined): Promise<TrustedRoot> {
  const { readTrustedRoot, KeyError } = await lib();
  if (path) return readTrustedRoot(abs(ctx, path), { signal: ctx.signal });
  // The public-good Sigstore root, through its TUF repository (network).
  const { getTrustedRoot } = await import("@sigstore/tuf");
  const { TrustedRoot: TR } = await import("@sigstore/protobuf-specs");
  try {
    return TR.fromJSON(await getTrustedRoot());
  } catch (cause) {
    throw new KeyError(
      "TUF",
      `cannot fetch the public Sigstore trusted root through TUF (${(cause as Error).message}); pass --trusted-root trusted_root.json`,
      { cause },
    );
  }
}

/** The policy the flags describe, or undefined when they describe none (no key, no identity). */
export async function policyFromFlags(ctx: CliContext, f: PolicyFlags): Promise<VerifyPolicy | undefined> {
  const identity = await identityFromFlags(f);
  const keys: string[] = [];
  for (const k of [...(f.key ?? []), ...(f.verifyKey ?? [])])
    keys.push((await readKeyRef(ctx, k, ctx.signal)).text);
  if (!identity && keys.length === 0) return undefined;
  const trustedRoot = identity || f.trustedRoot ? await loadTrust(ctx, f.trustedRoot) : undefined;
  return { keys, identities: identity ? [identity] : [], trustedRoot };
}

export type VerifyDigest = (
  client: OciClient,
  artifact: Reference,
  digest?: string,
) => Promise<VerifiedArtifact>;

/** A verification callback for the policy in the flags; UsageError when the flags give none. */
export async function verifierFromFlags(
  ctx: CliContext,
  f: PolicyFlags,
  keyFlag = "--key",
): Promise<VerifyDigest> {
  const policy = await policyFromFlags(ctx, f);
  if (!policy) {
    throw new UsageError(
      `say what to trust: ${keyFlag} cosign.pub, or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp)`,
    );
  }
  const { verifyArtifact } = await lib();
  return (client, artifact, digest) =>
    verifyArtifact({ client, reference: artifact, digest, policy, signal: ctx.signal });
}

export function describeVerified(v: VerifiedArtifact): string {
  const who =
    v.identity.kind === "key"
      ? `public key ${v.identity.keyHint}`
      : `issuer ${v.identity.issuer}, subject ${v.identity.subject}`;
  const where = v.format === "bundle" ? "Sigstore bundle referrer" : "legacy .sig tag";
  return `Verified ${v.reference}\n  signed by ${who}\n  signature stored as ${where}`;
}

export interface PromoteVerifyFlags extends PolicyFlags {
  skipVerify?: boolean;
}

/** `--verify-key`, identity flags, `--trusted-root` and `--skip-verify`, for `promote`. */
export function addPromoteVerifyOptions(cmd: Command): Command {
  return addPolicyOptions(cmd, "--verify-key").option(
    "--skip-verify",
    "move the tag without checking the artifact's signature",
  );
}

/**
 * The `verify` hook for promote: checks the version's digest against the policy in the flags and reports
 * the verified identity on stderr. Undefined with --skip-verify, or (with a warning) when no policy is given.
 */
export async function promoteVerifierFromFlags(
  ctx: CliContext,
  f: PromoteVerifyFlags,
  client: OciClient,
): Promise<((digest: string, pinned: Reference) => Promise<void>) | undefined> {
  if (f.skipVerify) return undefined;
  const policy = await policyFromFlags(ctx, f);
  if (!policy) {
    ctx.stderr.write(
      "warning: promoting without signature verification; pass --verify-key or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp), or --skip-verify\n",
    );
    return undefined;
  }
  const { verifyArtifact } = await lib();
  return async (digest, pinned) => {
    const v = await verifyArtifact({ client, reference: pinned, digest, policy, signal: ctx.signal });
    ctx.stderr.write(`${describeVerified(v)}\n`);
  };
}
