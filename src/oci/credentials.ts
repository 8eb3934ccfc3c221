/**
 * Credential providers: where the user name and password (or identity token) for a registry come from.
 * Each provider answers for one registry host or returns undefined; `chainCredentials` asks them in
 * order. Providers never log or expose secrets; `source` names where a credential came from so auth
 * errors can say which one was used.
 */
import { UsageError } from "../errors/index.ts";

export interface Credential {
  /** Basic-auth user name; absent with an identity token. */
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token (Docker `identitytoken`), exchanged at the token endpoint. */
  readonly identityToken?: string;
  /** Human-readable origin, e.g. "--creds", "docker config /home/u/.docker/config.json". */
  readonly source: string;
}

export interface CredentialProvider {
  /** Short description for error messages. */
  readonly name: string;
  get(registry: string, opts: { signal?: AbortSignal }): Promise<Credential | undefined>;
}

/** Explicit `user:password` (the `--creds` flag). Applies to every registry. */
export function staticCredentials(userPassword: string, source = "--creds"): CredentialProvider {
  const i = userPassword.indexOf(":");
  if (i <= 0) throw new UsageError(`${source} must be of the form user:password (the user name is missing)`);
  const cred: Credential = {
    username: userPassword.slice(0, i),
    password: userPassword.slice(i + 1),
    source,
  };
  return { name: source, get: async () => cred };
}

/**
 * User and password passed in by the CLI from FERRY_REGISTRY_USER / FERRY_REGISTRY_PASSWORD. Applies to
 * every registry, or only to `registry` when given.
 */
export function envCredentials(opts: {
  username: string | undefined;
  password: string | undefined;
  registry?: string;
  source?: string;
}): CredentialProvider {
  const source = opts.source ?? "FERRY_REGISTRY_USER/FERRY_REGISTRY_PASSWORD";
  return {
    name: source,
    get: async (registry) => {
      if (!opts.username || opts.password === undefined) return undefined;
      if (opts.registry && opts.registry !== registry) return undefined;
      return { username: opts.username, password: opts.password, source };
    },
  };
}

/** The first provider that has a credential for the registry wins. */
export function chainCredentials(...providers: Array<CredentialProvider | undefined>): CredentialProvider {
  const list = providers.filter((p): p is CredentialProvider => p !== undefined);
  return {
    name: list.map((p) => p.name).join(", ") || "none",
    get: async (registry, opts) => {
      for (const p of list) {
        const c = await p.get(registry, opts);
        if (c) return c;
      }
      return undefined;
    },
  };
}

export const anonymous: CredentialProvider = { name: "none", get: async () => undefined };
