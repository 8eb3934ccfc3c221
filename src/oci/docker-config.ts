/**
 * Credentials from a Docker config file (`config.json`): `credHelpers` for the host, then `credsStore`,
 * then the `auths` entry (`auth` base64 `user:password`, or `username`/`password`, or `identitytoken`).
 * The caller passes the file path (the CLI resolves DOCKER_CONFIG or ~/.docker/config.json); a missing
 * file means no credentials, a malformed one is an error that names the file.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors/index.ts";
import { credentialHelperGet } from "./credential-helper.ts";
import type { Credential, CredentialProvider } from "./credentials.ts";

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface DockerConfigOptions {
  /** Path of config.json. */
  path: string;
  /** PATH used to find `docker-credential-*` helpers; defaults to the process's PATH. */
  helperPath?: string;
}

/** Strips scheme and path from an `auths` key: `https://index.docker.io/v1/` → `index.docker.io`. */
export function normalizeAuthKey(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, "");
  const slash = k.indexOf("/");
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

function isDockerHub(registry: string): boolean {
  return registry === "docker.io" || registry === "registry-1.docker.io" || registry === "index.docker.io";
}

function hostAliases(registry: string): string[] {
  return isDockerHub(registry) ? ["index.docker.io", "docker.io", "registry-1.docker.io"] : [registry];
}

/** What `docker login` stored the credential under: Docker Hub keeps its historical URL. */
function helperServerUrl(registry: string): string {
  return isDockerHub(registry) ? "https://index.docker.io/v1/" : registry;
}

export function dockerConfigCredentials(opts: DockerConfigOptions): CredentialProvider {
  const source = `docker config ${opts.path}`;
  return {
    name: source,
    get: async (registry, { signal }) => {
      const config = await readConfig(opts.path, signal);
      if (!config) return undefined;
      const aliases = hostAliases(registry);
      const helperOpts = { signal, ...(opts.helperPath === undefined ? {} : { path: opts.helperPath }) };
      for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
        if (aliases.includes(normalizeAuthKey(key))) {
          return credentialHelperGet(helper, helperServerUrl(registry), helperOpts);
        }
      }
      if (config.credsStore) {
        const c = await credentialHelperGet(config.credsStore, helperServerUrl(registry), helperOpts);
        if (c) return c;
      }
      for (const [key, entry] of Object.entries(config.auths ?? {})) {
        if (!aliases.includes(normalizeAuthKey(key))) continue;
        const c = fromEntry(entry, `${source} (auths "${key}")`, opts.path);
        if (c) return c;
      }
      return undefined;
    },
  };
}

function fromEntry(entry: DockerAuthEntry, source: string, path: string): Credential | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken, source };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i <= 0) {
      throw new UsageError(
        `the "auth" value for a registry in ${path} does not decode to user:password; run \`docker login\` again`,
      );
    }
    return { username: decoded.slice(0, i), password: decoded.slice(i + 1), source };
  }
  if (entry.username && entry.password !== undefined) {
    return { username: entry.username, password: entry.password, source };
  }
  return undefined;
}

async function readConfig(path: string, signal?: AbortSignal): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, { encoding: "utf8", signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    return parsed as DockerConfig;
  } catch (err) {
    throw new UsageError(`docker config ${path} is not valid JSON: fix or remove the file`, { cause: err });
  }
}
