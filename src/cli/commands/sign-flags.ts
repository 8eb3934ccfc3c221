/**
 * Registry and signing flags shared by `ferry sign` and the publish commands (`push artifact --sign`,
 * `release --sign`): the options to add to a command, and functions that turn parsed flags plus the
 * environment into an OCI client and a "sign this digest" callback. Verification flags: verify-flags.ts.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import {
  chainCredentials,
  dockerConfigCredentials,
  envCredentials,
  OciClient,
  type Reference,
  staticCredentials,
} from "../../oci/index.ts";
import type { SignatureFormat, SigningMaterial, SignResult } from "../../sign/index.ts";
import type { CliContext } from "../context.ts";

/** The sign library, loaded when a signing flag is actually used (saves every other command its startup). */
const lib = () => import("../../sign/index.ts");

export const DEFAULT_FULCIO_URL = "https://fulcio.sigstore.dev";
export const DEFAULT_REKOR_URL = "https://rekor.sigstore.dev";

export function abs(ctx: CliContext, p: string): string {
  return isAbsolute(p) ? p : join(ctx.cwd, p);
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export interface RegistryFlags {
  creds?: string;
  dockerConfig?: string;
  insecure?: boolean;
  allowInsecureRegistry?: boolean;
  allowHttpRegistry?: boolean;
}

/** Adds the registry access flags (the publish commands' names, plus cosign's insecure-registry ones). */
export function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option(
      "--creds <user:password>",
      "registry credentials (else FERRY_REGISTRY_USER/PASSWORD, then Docker config)",
    )
    .option(
      "--docker-config <path>",
      "Docker config.json for registry credentials (default: $DOCKER_CONFIG or ~/.docker)",
    )
    .option("--insecure", "use plain http for the registry (loopback registries always do)")
    .option("--allow-insecure-registry", "same as --insecure (cosign's name)")
    .option("--allow-http-registry", "same as --insecure (cosign's name)");
}

/** OCI client with credentials from --creds, FERRY_REGISTRY_USER/PASSWORD, then the Docker config. */
export function registryClient(ctx: CliContext, f: RegistryFlags): OciClient {
  const home = ctx.env.HOME ?? "";
  const configDir = ctx.env.DOCKER_CONFIG ?? (home ? join(home, ".docker") : undefined);
  const configPath = f.dockerConfig
    ? abs(ctx, f.dockerConfig)
    : configDir
      ? join(configDir, "config.json")
      : undefined;
  return new OciClient({
    insecure: Boolean(f.insecure || f.allowInsecureRegistry || f.allowHttpRegistry),
    credentials: chainCredentials(
      f.creds ? staticCredentials(f.creds) : undefined,
      envCredentials({ username: ctx.env.FERRY_REGISTRY_USER, password: ctx.env.FERRY_REGISTRY_PASSWORD }),
      configPath ? dockerConfigCredentials({ path: configPath }) : undefined,
    ),
  });
}

/** COSIGN_PASSWORD, else a prompt on a terminal, else an error saying to set it. */
export async function password(ctx: CliContext, confirm: boolean): Promise<string> {
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
      // Echo the question, not the keystrokes.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
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
export async function readKeyRef(
  ctx: CliContext,
  ref: string,
  signal: AbortSignal,
): Promise<{ text: string; source: string }> {
  if (ref.startsWith("env://")) {
    const name = ref.slice("env://".length);
    const text = ctx.env[name];
    if (!text) throw new UsageError(`environment variable ${name} (from ${ref}) is empty or unset`);
    return { text, source: `environment variable ${name}` };
  }
  const path = abs(ctx, ref);
  try {
    return { text: await readFile(path, { encoding: "utf8", signal }), source: path };
  } catch (cause) {
    const { KeyError } = await lib();
    throw new KeyError(path, `cannot read key file ${path}: ${(cause as Error).message}`, { cause });
  }
}

// ---- signing ----

export interface SignFlags {
  key?: string;
  identityToken?: string;
  fulcioUrl: string;
  rekorUrl?: string;
  tlogUpload?: boolean;
  newBundleFormat: boolean;
  signatureFormat?: string;
  annotations?: string[];
  trustedRoot?: string;
}

/**
 * Adds the signing flags (`--key`, keyless, storage format) to a command. Publish commands pass
 * `annotations: false` (their `-a` is the artifact's OCI annotations, not a signed claim).
 */
export function addSigningOptions(cmd: Command, opts: { annotations?: boolean } = {}): Command {
  const c = cmd
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
    .option(
      "--trusted-root <file>",
      "after keyless signing, check the signature against this trusted_root.json",
    );
  if (opts.annotations === false) return c;
  return c.option("-a, --annotations <key=value>", "extra claim in the signed payload (repeatable)", collect);
}

// ---- publish commands: push artifact --sign, release --sign ----

export interface PublishSignFlags extends Omit<SignFlags, "annotations"> {
  sign?: boolean;
}

/** `--sign` plus the signing flags, for `push artifact` and `release`. */
export function addPublishSigningOptions(cmd: Command): Command {
  return addSigningOptions(
    cmd.option("--sign", "sign what was pushed (only when something was pushed), cosign-compatible"),
    { annotations: false },
  );
}

/**
 * The signer for `--sign`, resolved up front (key read, password asked, token fetched) so a bad key fails
 * before anything is pushed; undefined without `--sign`.
 */
export async function publishSignerFromFlags(
  ctx: CliContext,
  f: PublishSignFlags,
): Promise<SignDigest | undefined> {
  if (!f.sign) {
    if (f.key || f.identityToken || f.signatureFormat) {
      throw new UsageError("signing flags were given without --sign; add --sign to sign what is pushed");
    }
    return undefined;
  }
  return signerFromFlags(ctx, f);
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

function signatureFormat(f: SignFlags): SignatureFormat {
  if (f.signatureFormat === undefined) return f.newBundleFormat ? "bundle" : "legacy";
  if (f.signatureFormat !== "bundle" && f.signatureFormat !== "legacy") {
    throw new UsageError(`--signature-format "${f.signatureFormat}" is not one of bundle, legacy`);
  }
  return f.signatureFormat;
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
    const privateKey = await (await lib()).loadPrivateKey(text, {
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
  if (f.tlogUpload === false) {
    throw new UsageError("keyless signing needs the transparency log: drop --tlog-upload=false");
  }
  const url = ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  const token = await (await lib()).resolveIdentityToken(
    {
      identityToken: f.identityToken ?? ctx.env.SIGSTORE_ID_TOKEN,
      github: url && bearer ? { requestUrl: url, requestToken: bearer } : undefined,
      cwd: ctx.cwd,
    },
    { signal },
  );
  return {
    material: { kind: "keyless", identityToken: async () => token, fulcioURL: f.fulcioUrl },
    rekorURL: f.rekorUrl ?? DEFAULT_REKOR_URL,
  };
}

export type SignDigest = (client: OciClient, artifact: Reference) => Promise<SignResult>;

/**
 * Resolves the signing flags once (reads the key, asks for the password, gets the OIDC token) and returns
 * a function that signs an artifact. Call it before pushing, so a bad key fails before anything is pushed.
 */
export async function signerFromFlags(ctx: CliContext, f: SignFlags): Promise<SignDigest> {
  const format = signatureFormat(f);
  const annotations = parseAnnotations(f.annotations);
  const { material, rekorURL } = await signingMaterial(ctx, f);
  const trustedRoot = f.trustedRoot
    ? await (await lib()).readTrustedRoot(abs(ctx, f.trustedRoot), { signal: ctx.signal })
    : undefined;
  const { signArtifact, verifyArtifact } = await lib();
  return async (client, artifact) => {
    const signal = ctx.signal;
    const res = await signArtifact({
      client,
      reference: artifact,
      material,
      format,
      rekorURL,
      signal,
      ...(annotations ? { annotations } : {}),
    });
    if (trustedRoot && material.kind === "keyless") {
      // Check what was just made against the trusted root the clusters will use.
      await verifyArtifact({
        client,
        reference: { registry: artifact.registry, repository: artifact.repository, digest: res.digest },
        policy: { identities: [{ issuer: ".*", subject: ".*" }], trustedRoot },
        signal,
      });
    }
    return res;
  };
}

export function describeSignResult(res: SignResult): string {
  const where = res.format === "bundle" ? "Sigstore bundle referrer" : "legacy .sig tag";
  const log = res.logIndex ? `, Rekor log index ${res.logIndex}` : "";
  return `Signed ${res.reference} (${where}, ${res.signatureManifest}${log})`;
}
