/**
 * `ferry generate-key-pair`, `ferry sign`, `ferry verify`: cosign-compatible signing and verification of
 * OCI artifacts (flags named as cosign names them). Parses flags, reads the environment, calls src/sign.
 */
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { createInterface } from "node:readline";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import {
  chainCredentials,
  dockerConfigCredentials,
  envCredentials,
  OciClient,
  parseReference,
  type Reference,
} from "../../oci/index.ts";
import {
  exactPattern,
  generateKeyPair,
  type IdentityPattern,
  KeyError,
  loadPrivateKey,
  readTrustedRoot,
  resolveIdentityToken,
  type SignatureFormat,
  type SigningMaterial,
  signArtifact,
  type VerifiedArtifact,
  verifyArtifact,
} from "../../sign/index.ts";
import { type CliContext, write } from "../context.ts";

export const DEFAULT_FULCIO_URL = "https://fulcio.sigstore.dev";
export const DEFAULT_REKOR_URL = "https://rekor.sigstore.dev";

function abs(ctx: CliContext, p: string): string {
  return isAbsolute(p) ? p : join(ctx.cwd, p);
}

/** OCI client with credentials from FERRY_REGISTRY_USER/PASSWORD, then the Docker config. */
export function registryClient(ctx: CliContext, opts: { insecure?: boolean }): OciClient {
  const home = ctx.env.HOME ?? "";
  const dockerConfig = ctx.env.DOCKER_CONFIG ?? (home ? join(home, ".docker") : undefined);
  return new OciClient({
    insecure: opts.insecure ?? false,
    credentials: chainCredentials(
      envCredentials({ username: ctx.env.FERRY_REGISTRY_USER, password: ctx.env.FERRY_REGISTRY_PASSWORD }),
      dockerConfig ? dockerConfigCredentials({ path: join(dockerConfig, "config.json") }) : undefined,
    ),
  });
}

/** COSIGN_PASSWORD, else a prompt on a terminal, else an error saying to set it. */
async function password(ctx: CliContext, confirm: boolean): Promise<string> {
  const fromEnv = ctx.env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      "no password for the private key: set COSIGN_PASSWORD (it may be empty) or run on a terminal",
    );
  }
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const out = rl as unknown as { _writeToOutput: (s: string) => void };
      out._writeToOutput = (s: string) => {
        if (s.includes(q)) process.stderr.write(q);
      };
      rl.question(q, (a) => {
        rl.close();
        process.stderr.write("\n");
        resolve(a);
      });
    });
  const first = await ask("Enter password for private key: ");
  if (confirm && (await ask("Enter password for private key again: ")) !== first) {
    throw new UsageError("the two passwords differ; run the command again");
  }
  return first;
}

/** A key given as a path or as `env://VAR` (cosign's syntax); returns its text and a name for messages. */
async function readKeyRef(
  ctx: CliContext,
  ref: string,
  signal: AbortSignal,
): Promise<{ text: string; source: string }> {
  if (ref.startsWith("env://")) {
    const name = ref.slice("env://".length);
    const text = ctx.env[name];
    if (!text) throw new UsageError(`environment variable ${name} (from --key ${ref}) is empty or unset`);
    return { text, source: `environment variable ${name}` };
  }
  const path = abs(ctx, ref);
  try {
    return { text: await readFile(path, { encoding: "utf8", signal }), source: path };
  } catch (cause) {
    throw new KeyError(path, `cannot read key file ${path}: ${(cause as Error).message}`, { cause });
  }
}

function artifactRef(input: string): Reference {
  return parseReference(input, { requireTagOrDigest: true });
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function parseAnnotations(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of list) {
    const i = a.indexOf("=");
    if (i <= 0) throw new UsageError(`annotation "${a}" is not key=value`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

interface SignFlags {
  key?: string;
  identityToken?: string;
  fulcioUrl: string;
  rekorUrl?: string;
  tlogUpload?: boolean;
  newBundleFormat: boolean;
  signatureFormat?: string;
  annotations?: string[];
  trustedRoot?: string;
  allowInsecureRegistry?: boolean;
  allowHttpRegistry?: boolean;
}

/** The key (and whether to log it) or the keyless identity the flags and environment ask for. */
async function signingMaterial(
  ctx: CliContext,
  f: SignFlags,
): Promise<{ material: SigningMaterial; rekorURL: string | undefined }> {
  const signal = ctx.signal;
  if (f.key) {
    const { text, source } = await readKeyRef(ctx, f.key, signal);
    const encrypted = text.includes("ENCRYPTED");
    const privateKey = await loadPrivateKey(text, {
      source,
      signal,
      ...(encrypted ? { password: await password(ctx, false) } : {}),
    });
    // Key signatures go to a transparency log only when asked for (a private key needs no certificate time).
    const upload = f.tlogUpload === true || (f.rekorUrl !== undefined && f.tlogUpload !== false);
    return {
      material: { kind: "key", privateKey },
      rekorURL: upload ? (f.rekorUrl ?? DEFAULT_REKOR_URL) : undefined,
    };
  }
  if (f.tlogUpload === false)
    throw new UsageError("keyless signing needs the transparency log: drop --tlog-upload=false");
  const gh =
    ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL && ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      ? {
          requestUrl: ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL,
          requestToken: ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
        }
      : undefined;
  const token = await resolveIdentityToken(
    { identityToken: f.identityToken ?? ctx.env.SIGSTORE_ID_TOKEN, github: gh, cwd: ctx.cwd },
    { signal },
  );
  return {
    material: { kind: "keyless", identityToken: async () => token, fulcioURL: f.fulcioUrl },
    rekorURL: f.rekorUrl ?? DEFAULT_REKOR_URL,
  };
}

async function runSign(ctx: CliContext, input: string, f: SignFlags): Promise<void> {
  const signal = ctx.signal;
  const reference = artifactRef(input);
  let format: SignatureFormat = f.newBundleFormat ? "bundle" : "legacy";
  if (f.signatureFormat) {
    if (f.signatureFormat !== "bundle" && f.signatureFormat !== "legacy") {
      throw new UsageError(`--signature-format "${f.signatureFormat}" is not one of bundle, legacy`);
    }
    format = f.signatureFormat;
  }
  const { material, rekorURL } = await signingMaterial(ctx, f);
  const client = registryClient(ctx, { insecure: f.allowInsecureRegistry || f.allowHttpRegistry });
  const annotations = parseAnnotations(f.annotations);
  const res = await signArtifact({
    client,
    reference,
    material,
    format,
    rekorURL,
    signal,
    ...(annotations ? { annotations } : {}),
  });
  write(
    ctx.stdout,
    `Signed ${res.reference} (${res.format === "bundle" ? "Sigstore bundle referrer" : "legacy .sig tag"}, ${res.signatureManifest}${res.logIndex ? `, Rekor log index ${res.logIndex}` : ""})`,
  );
  if (f.trustedRoot && material.kind === "keyless") {
    // Check what was just made against the trusted root the clusters will use.
    await verifyArtifact({
      client,
      reference: { ...reference, tag: undefined, digest: res.digest },
      policy: {
        identities: [{ issuer: ".*", subject: ".*" }],
        trustedRoot: await readTrustedRoot(abs(ctx, f.trustedRoot), { signal }),
      },
      signal,
    });
  }
}

interface VerifyFlags {
  key?: string[];
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  digest?: string;
  output: string;
  allowInsecureRegistry?: boolean;
  allowHttpRegistry?: boolean;
}

/** Identity flags → one policy entry, as cosign builds it (exact value or regexp for each side). */
export function identityFromFlags(f: VerifyFlags): IdentityPattern | undefined {
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
  if (path) return readTrustedRoot(abs(ctx, path), { signal: ctx.signal });
  // The public-good Sigstore root, through its TUF repository (network).
  const { getTrustedRoot } = await import("@sigstore/tuf");
  const { TrustedRoot: TR } = await import("@sigstore/protobuf-specs");
  return TR.fromJSON(await getTrustedRoot());
}

async function runVerify(ctx: CliContext, input: string, f: VerifyFlags): Promise<void> {
  const signal = ctx.signal;
  const reference = artifactRef(input);
  const identity = identityFromFlags(f);
  const keys: string[] = [];
  for (const k of f.key ?? []) keys.push((await readKeyRef(ctx, k, signal)).text);
  if (!identity && keys.length === 0) {
    throw new UsageError(
      "say what to trust: --key cosign.pub, or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp)",
    );
  }
  if (f.output !== "text" && f.output !== "json")
    throw new UsageError(`--output "${f.output}" is not one of text, json`);
  const trustedRoot = identity || f.trustedRoot ? await loadTrust(ctx, f.trustedRoot) : undefined;
  const v: VerifiedArtifact = await verifyArtifact({
    client: registryClient(ctx, { insecure: f.allowInsecureRegistry || f.allowHttpRegistry }),
    reference,
    digest: f.digest,
    policy: { keys, identities: identity ? [identity] : [], trustedRoot },
    signal,
  });
  if (f.output === "json") {
    write(ctx.stdout, JSON.stringify(v));
    return;
  }
  const who =
    v.identity.kind === "key"
      ? `public key ${v.identity.keyHint}`
      : `issuer ${v.identity.issuer}, subject ${v.identity.subject}`;
  write(
    ctx.stdout,
    `Verified ${v.reference}\n  signed by ${who}\n  signature stored as ${v.format === "bundle" ? "Sigstore bundle referrer" : "legacy .sig tag"}`,
  );
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
    .action(async (o: { outputKeyPrefix: string; force?: boolean }) => {
      const keyPath = abs(ctx, `${o.outputKeyPrefix}.key`);
      const pubPath = abs(ctx, `${o.outputKeyPrefix}.pub`);
      for (const p of [keyPath, pubPath]) {
        if (existsSync(p) && !o.force)
          throw new UsageError(`${p} already exists; pass --force to overwrite it`);
      }
      const pair = await generateKeyPair(await password(ctx, true), { signal: ctx.signal });
      await writeFile(keyPath, pair.privateKey, { mode: 0o600 });
      await chmod(keyPath, 0o600);
      await writeFile(pubPath, pair.publicKey);
      write(ctx.stdout, `Private key written to ${keyPath}\nPublic key written to ${pubPath}`);
    });

  const insecureFlags = (c: Command) =>
    c
      .option("--allow-insecure-registry", "use plain http for the registry (loopback registries always do)")
      .option("--allow-http-registry", "same as --allow-insecure-registry");

  insecureFlags(
    program
      .command("sign")
      .description(
        "sign an artifact with a key pair or keyless (Sigstore), storing the signature in the registry",
      )
      .argument("<reference>", "oci://host/repo@sha256:… (or :tag, resolved to its digest)")
      .option("--key <path>", "private key file (cosign.key) or env://VAR; without it, sign keyless")
      .option("--identity-token <token>", "OIDC token (or a file holding it) for keyless signing")
      .option("--fulcio-url <url>", "Fulcio for keyless certificates", DEFAULT_FULCIO_URL)
      .option("--rekor-url <url>", `Rekor transparency log (default ${DEFAULT_REKOR_URL} for keyless)`)
      .option(
        "--tlog-upload [bool]",
        "upload to Rekor (keyless always does; key signing only when set)",
        (v) => v !== "false",
      )
      .option(
        "--new-bundle-format [bool]",
        "store a Sigstore bundle as an OCI referrer (false: legacy .sig tag)",
        (v) => v !== "false",
        true,
      )
      .option("--signature-format <format>", "bundle (default) or legacy")
      .option("-a, --annotations <key=value>", "extra claim in the signed payload (repeatable)", collect)
      .option(
        "--trusted-root <file>",
        "after keyless signing, check the signature against this trusted_root.json",
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  COSIGN_PASSWORD=… ferry sign --key cosign.key oci://ghcr.io/acme/fleet@sha256:…\n  ferry sign --signature-format legacy --key cosign.key oci://ghcr.io/acme/fleet:v1.2.3\n  ferry sign oci://ghcr.io/acme/fleet@sha256:…   # keyless, in GitHub Actions with id-token: write\n  ferry sign --identity-token token.jwt --fulcio-url https://fulcio.internal --rekor-url https://rekor.internal oci://…",
    )
    .action((input: string, f: SignFlags) => runSign(ctx, input, f));

  insecureFlags(
    program
      .command("verify")
      .description(
        "verify an artifact's signatures (bundle referrers and legacy .sig tags) against keys or identities",
      )
      .argument("<reference>", "oci://host/repo:tag or oci://host/repo@sha256:…")
      .option(
        "--key <path>",
        "public key file (cosign.pub) or env://VAR (repeatable: any may match)",
        collect,
      )
      .option("--certificate-identity <subject>", "keyless: exact certificate subject")
      .option("--certificate-identity-regexp <regexp>", "keyless: certificate subject regular expression")
      .option("--certificate-oidc-issuer <issuer>", "keyless: exact OIDC issuer")
      .option("--certificate-oidc-issuer-regexp <regexp>", "keyless: OIDC issuer regular expression")
      .option("--trusted-root <file>", "trusted_root.json (default: the public Sigstore root via TUF)")
      .option("--digest <sha256:…>", "fail unless the reference resolves to this digest")
      .option("-o, --output <format>", "text or json", "text"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry verify --key cosign.pub oci://ghcr.io/acme/fleet:v1.2.3\n  ferry verify oci://ghcr.io/acme/fleet:latest-stable \\\n    --certificate-oidc-issuer https://token.actions.githubusercontent.com \\\n    --certificate-identity-regexp '^https://github.com/acme/fleet/.github/workflows/release.yml@refs/tags/v\\d+\\.\\d+\\.\\d+$'",
    )
    .action((input: string, f: VerifyFlags) => runVerify(ctx, input, f));
}
