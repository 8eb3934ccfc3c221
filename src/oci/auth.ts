/**
 * Registry authentication: anonymous first, then whatever the registry's `WWW-Authenticate` challenge asks
 * for — Basic with the provider's credential, or the Bearer token flow (token endpoint at `realm`, with
 * `service` and `scope`, basic credentials or an identity token when there are any). Tokens are cached
 * per registry and scope set until shortly before they expire. One Authorizer per client; no global state.
 */

import type { Credential, CredentialProvider } from "./credentials.ts";
import { AuthenticationError, RegistryUnreachableError } from "./errors.ts";
import { type HttpRequestInit, type HttpResponse, httpRequest } from "./http.ts";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` (and Basic). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

interface RegistryState {
  mode: "unknown" | "basic" | "bearer";
  realm?: string;
  service?: string;
  credential?: Promise<Credential | undefined>;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AuthorizerOptions {
  credentials: CredentialProvider;
  userAgent: string;
  timeoutMs: number;
}

export class Authorizer {
  readonly #opts: AuthorizerOptions;
  readonly #registries = new Map<string, RegistryState>();
  readonly #tokens = new Map<string, CachedToken>();
  /** Token requests in flight, so parallel requests on one scope share one token fetch. */
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(opts: AuthorizerOptions) {
    this.#opts = opts;
  }

  #state(registry: string): RegistryState {
    let s = this.#registries.get(registry);
    if (!s) {
      s = { mode: "unknown" };
      this.#registries.set(registry, s);
    }
    return s;
  }

  #credential(registry: string, signal?: AbortSignal): Promise<Credential | undefined> {
    const s = this.#state(registry);
    if (!s.credential) {
      s.credential = this.#opts.credentials.get(registry, { signal });
      s.credential.catch(() => {
        s.credential = undefined;
      });
    }
    return s.credential;
  }

  /** Where this registry's credential came from, for error messages ("none" when there is none). */
  async credentialSource(registry: string): Promise<string> {
    const c = await this.#credential(registry).catch(() => undefined);
    return c?.source ?? "none";
  }

  /** The Authorization header to send up front, from what earlier challenges taught. */
  async header(
    registry: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const s = this.#state(registry);
    if (s.mode === "basic") {
      const c = await this.#credential(registry, signal);
      return c ? basicHeader(c) : undefined;
    }
    if (s.mode === "bearer") {
      const t = this.#tokens.get(tokenKey(registry, scopes));
      if (t && t.expiresAt > Date.now()) return `Bearer ${t.token}`;
      if (s.realm) return `Bearer ${await this.#fetchToken(registry, s, scopes, signal)}`;
    }
    return undefined;
  }

  /**
   * Answers a 401: returns the header to retry with, or throws AuthenticationError when the same header
   * was just refused or there is nothing to offer.
   */
  async respond(
    registry: string,
    wwwAuthenticate: string | null,
    scopes: readonly string[],
    refused: string | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const challenge = parseChallenge(wwwAuthenticate);
    const s = this.#state(registry);
    if (challenge?.scheme === "bearer" && challenge.params.realm) {
      s.mode = "bearer";
      s.realm = challenge.params.realm;
      s.service = challenge.params.service;
      const wanted = mergeScopes(scopes, challenge.params.scope);
      const key = tokenKey(registry, wanted);
      // A refused token (expired or revoked early, or too narrow) is dropped and a fresh one fetched once;
      // the transport retries only once, so this cannot loop.
      for (const k of [key, tokenKey(registry, scopes)]) {
        if (refused === `Bearer ${this.#tokens.get(k)?.token}`) this.#tokens.delete(k);
      }
      const token = await this.#fetchToken(registry, s, wanted, signal);
      // Also cache under the caller's own scopes so the next request of the same kind sends it up front.
      const entry = this.#tokens.get(key);
      if (entry) this.#tokens.set(tokenKey(registry, scopes), entry);
      const header = `Bearer ${token}`;
      if (header === refused) {
        throw new AuthenticationError(registry, 401, await this.credentialSource(registry), "token refused");
      }
      return header;
    }
    if (challenge?.scheme === "basic" || !challenge) {
      s.mode = "basic";
      const c = await this.#credential(registry, signal);
      if (!c || c.username === undefined) throw new AuthenticationError(registry, 401, c?.source ?? "none");
      const header = basicHeader(c);
      if (header === refused) throw new AuthenticationError(registry, 401, c.source);
      return header;
    }
    throw new AuthenticationError(
      registry,
      401,
      await this.credentialSource(registry),
      `unsupported auth scheme ${challenge.scheme}`,
    );
  }

  #fetchToken(
    registry: string,
    s: RegistryState,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const key = tokenKey(registry, scopes);
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#requestToken(registry, s, scopes, signal).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #requestToken(
    registry: string,
    s: RegistryState,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const cred = await this.#credential(registry, signal);
    const source = cred?.source ?? "none";
    const { url, init } = tokenRequest(s, cred, scopes, this.#opts.userAgent);
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs);
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      signal?.throwIfAborted();
      const e = err as { code?: string; cause?: { code?: string } };
      const code = e.code ?? e.cause?.code;
      const port = url.port || (url.protocol === "https:" ? "443" : "80");
      throw new RegistryUnreachableError(
        `${url.host} (token service of ${registry})`,
        url.hostname,
        port,
        code,
        err,
      );
    }
    if (!res.ok) {
      res.discard();
      const detail =
        res.status === 401 || res.status === 403
          ? "token request refused"
          : `token endpoint answered ${res.status}`;
      throw new AuthenticationError(registry, res.status === 403 ? 403 : 401, source, detail);
    }
    const body = (await res.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new AuthenticationError(registry, 401, source, "token endpoint returned no token");
    const lifetimeS = body.expires_in && body.expires_in > 0 ? body.expires_in : 60;
    const expiresAt = Date.now() + Math.max(1, lifetimeS - 10) * 1000;
    this.#tokens.set(tokenKey(registry, scopes), { token, expiresAt });
    return token;
  }
}

/**
 * The token request: an OAuth2 refresh-token POST for an identity token, else a GET with `service` and
 * `scope` parameters and basic credentials when there are any (anonymous tokens otherwise).
 */
function tokenRequest(
  s: RegistryState,
  cred: Credential | undefined,
  scopes: readonly string[],
  userAgent: string,
): { url: URL; init: HttpRequestInit } {
  const url = new URL(s.realm!);
  const headers: Record<string, string> = { "User-Agent": userAgent };
  if (cred?.identityToken) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: cred.identityToken,
      client_id: "ferry",
    });
    if (s.service) form.set("service", s.service);
    if (scopes.length) form.set("scope", scopes.join(" "));
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return { url, init: { method: "POST", headers, body: form.toString() } };
  }
  if (s.service) url.searchParams.set("service", s.service);
  for (const scope of scopes) url.searchParams.append("scope", scope);
  if (cred?.username !== undefined) headers.Authorization = basicHeader(cred);
  return { url, init: { method: "GET", headers } };
}

function basicHeader(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username ?? ""}:${c.password ?? ""}`).toString("base64")}`;
}

function tokenKey(registry: string, scopes: readonly string[]): string {
  return `${registry} ${[...scopes].sort().join(" ")}`;
}

/** Union of scopes, merging actions of the same resource: `repository:a:pull` + `repository:a:push`. */
export function mergeScopes(scopes: readonly string[], extra?: string): string[] {
  const byResource = new Map<string, Set<string>>();
  const add = (scope: string) => {
    const i = scope.lastIndexOf(":");
    if (i < 0) return;
    const resource = scope.slice(0, i);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(i + 1).split(",")) if (a) actions.add(a);
    byResource.set(resource, actions);
  };
  for (const s of scopes) add(s);
  for (const s of extra?.split(" ") ?? []) add(s);
  return [...byResource].map(([r, a]) => `${r}:${[...a].sort().join(",")}`).sort();
}
