/**
 * `ferry generate-key-pair`, `ferry sign`, `ferry verify`: cosign-compatible signing and verification of
 * OCI artifacts (flags named as cosign names them). Parses flags, reads the environment, calls src/sign;
 * the flag handling shared with the publish commands is in sign-flags.ts.
 */
import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import { parseReference } from "../../oci/index.ts";
import { type CliContext, write } from "../context.ts";
import {
  abs,
  addRegistryOptions,
  addSigningOptions,
  describeSignResult,
  password,
  type RegistryFlags,
  registryClient,
  type SignFlags,
  signerFromFlags,
} from "./sign-flags.ts";
import { addPolicyOptions, describeVerified, type PolicyFlags, verifierFromFlags } from "./verify-flags.ts";

async function runGenerate(ctx: CliContext, o: { outputKeyPrefix: string; force?: boolean }): Promise<void> {
  const keyPath = abs(ctx, `${o.outputKeyPrefix}.key`);
  const pubPath = abs(ctx, `${o.outputKeyPrefix}.pub`);
  for (const p of [keyPath, pubPath]) {
    if (existsSync(p) && !o.force) throw new UsageError(`${p} already exists; pass --force to overwrite it`);
  }
  const { generateKeyPair } = await import("../../sign/index.ts");
  const pair = await generateKeyPair(await password(ctx, true), { signal: ctx.signal });
  await writeFile(keyPath, pair.privateKey, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(pubPath, pair.publicKey);
  write(ctx.stdout, `Private key written to ${keyPath}\nPublic key written to ${pubPath}`);
}

async function runSign(ctx: CliContext, input: string, f: SignFlags & RegistryFlags): Promise<void> {
  const reference = parseReference(input, { requireTagOrDigest: true });
  const sign = await signerFromFlags(ctx, f);
  const client = registryClient(ctx, f);
  write(ctx.stdout, describeSignResult(await sign(client, reference)));
}

async function runVerify(
  ctx: CliContext,
  input: string,
  f: PolicyFlags & RegistryFlags & { digest?: string; output: string },
): Promise<void> {
  const reference = parseReference(input, { requireTagOrDigest: true });
  if (f.output !== "text" && f.output !== "json") {
    throw new UsageError(`--output "${f.output}" is not one of text, json`);
  }
  const verify = await verifierFromFlags(ctx, f);
  const client = registryClient(ctx, f);
  const v = await verify(client, reference, f.digest);
  write(ctx.stdout, f.output === "json" ? JSON.stringify(v) : describeVerified(v));
}

export function registerSignCommands(program: Command, ctx: CliContext): void {
  program
    .command("generate-key-pair")
    .description(
      "write an ECDSA P-256 key pair in cosign's formats: <prefix>.key (encrypted) and <prefix>.pub",
    )
    .option("--output-key-prefix <prefix>", "file name prefix", "cosign")
    .option("-f, --force", "overwrite existing files")
    .addHelpText(
      "after",
      "\nThe password comes from COSIGN_PASSWORD, or is asked for on a terminal.\n\nExamples:\n  COSIGN_PASSWORD=… ferry generate-key-pair\n  ferry generate-key-pair --output-key-prefix release",
    )
    .action((o: { outputKeyPrefix: string; force?: boolean }) => runGenerate(ctx, o));

  addRegistryOptions(
    addSigningOptions(
      program
        .command("sign")
        .description(
          "sign an artifact with a key pair or keyless (Sigstore), storing the signature in the registry",
        )
        .argument("<reference>", "oci://host/repo@sha256:… (or :tag, resolved to its digest)"),
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  COSIGN_PASSWORD=… ferry sign --key cosign.key oci://ghcr.io/acme/fleet@sha256:…\n  ferry sign --signature-format legacy --key cosign.key oci://ghcr.io/acme/fleet:v1.2.3\n  ferry sign oci://ghcr.io/acme/fleet@sha256:…   # keyless, in GitHub Actions with id-token: write\n  ferry sign --identity-token token.jwt --fulcio-url https://fulcio.internal --rekor-url https://rekor.internal oci://…",
    )
    .action((input: string, f: SignFlags & RegistryFlags) => runSign(ctx, input, f));

  addRegistryOptions(
    addPolicyOptions(
      program
        .command("verify")
        .description(
          "verify an artifact's signatures (bundle referrers and legacy .sig tags) against keys or identities",
        )
        .argument("<reference>", "oci://host/repo:tag or oci://host/repo@sha256:…"),
    )
      .option("--digest <sha256:…>", "fail unless the reference resolves to this digest")
      .option("-o, --output <format>", "text or json", "text"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry verify --key cosign.pub oci://ghcr.io/acme/fleet:v1.2.3\n  ferry verify oci://ghcr.io/acme/fleet:latest-stable \\\n    --certificate-oidc-issuer https://token.actions.githubusercontent.com \\\n    --certificate-identity-regexp '^https://github.com/acme/fleet/.github/workflows/release.yml@refs/tags/v\\d+\\.\\d+\\.\\d+$'",
    )
    .action((input: string, f: PolicyFlags & RegistryFlags & { digest?: string; output: string }) =>
      runVerify(ctx, input, f),
    );
}
