/**
 * The `docker-credential-<name> get` protocol: the registry host on stdin, `{"Username","Secret"}` JSON on
 * stdout. "credentials not found" (any non-zero exit mentioning it) means no credential. A username of
 * `<token>` marks the secret as an identity token.
 */
import { FerryError } from "../errors/index.ts";
import type { Credential } from "./credentials.ts";

export class CredentialHelperError extends FerryError {
  override name = "CredentialHelperError";
  readonly helper: string;
  readonly registry: string;
  constructor(helper: string, registry: string, detail: string, cause?: unknown) {
    super(
      `credential helper docker-credential-${helper} failed for registry ${registry} (${detail}): check that it is installed and on PATH, or log in again`,
      { cause },
    );
    this.helper = helper;
    this.registry = registry;
  }
}

export async function credentialHelperGet(
  helper: string,
  registry: string,
  opts: { signal?: AbortSignal | undefined; path?: string },
): Promise<Credential | undefined> {
  const bin = `docker-credential-${helper}`;
  const env = opts.path === undefined ? process.env : { ...process.env, PATH: opts.path };
  // Loaded when a helper is configured: most commands never start one.
  const { spawn } = await import("node:child_process");
  const { code, stdout, stderr, error } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
    error?: Error;
  }>((resolve) => {
    const child = spawn(bin, ["get"], { env, signal: opts.signal, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", (e) => resolve({ code: null, stdout: out, stderr: err, error: e }));
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.on("error", () => {});
    child.stdin.end(registry);
  });
  opts.signal?.throwIfAborted();
  if (error) {
    const detail =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? `${bin} not found on PATH` : error.message;
    throw new CredentialHelperError(helper, registry, detail, error);
  }
  const text = `${stdout}\n${stderr}`.toLowerCase();
  if (code !== 0) {
    if (text.includes("credentials not found")) return undefined;
    throw new CredentialHelperError(helper, registry, `exit code ${code}`);
  }
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch (err) {
    throw new CredentialHelperError(helper, registry, "its output is not JSON", err);
  }
  if (!parsed.Secret) return undefined;
  const source = `credential helper ${bin}`;
  if (parsed.Username === "<token>") return { identityToken: parsed.Secret, source };
  return { username: parsed.Username ?? "", password: parsed.Secret, source };
}
