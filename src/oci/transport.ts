/**
 * One registry request: URL, auth (anonymous, then as challenged), per-request timeout, retries with
 * backoff for idempotent requests, and the mapping of failures to typed errors. Operation files build on
 * `send`; nothing here knows about manifests or blobs.
 */
import { Authorizer } from "./auth.ts";
import type { CredentialProvider } from "./credentials.ts";
import {
  AuthenticationError,
  NotFoundError,
  type NotFoundKind,
  RegistryError,
  type RegistryErrorCode,
  RegistryUnreachableError,
  RequestTimeoutError,
} from "./errors.ts";
import { type HttpBody, type HttpResponse, httpRequest } from "./http.ts";
import { registryBaseUrl } from "./reference.ts";
import {
  backoffDelay,
  defaultRetry,
  isRetriableNetworkCode,
  isRetriableStatus,
  parseRetryAfter,
  type RetryOptions,
  wait,
} from "./retry.ts";

export interface TransportOptions {
  credentials: CredentialProvider;
  insecure?: boolean;
  retry?: RetryOptions;
  timeoutMs?: number;
  userAgent?: string;
}

export interface RegistryRequest {
  registry: string;
  method: "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";
  /** `/v2/...` path (with query), or an absolute URL such as an upload Location. */
  path: string;
  headers?: Record<string, string>;
  /** Bytes, or a file streamed from disk (memory stays bounded). */
  body?: HttpBody;
  /** Token scopes, e.g. `repository:fleet/apps:pull`. */
  scopes: readonly string[];
  /** What is being done, for error messages: "get manifest host/repo:tag". */
  operation: string;
  /** Statuses handed back to the caller; anything else becomes an error. */
  expect: readonly number[];
  /** When set, a 404 (not in `expect`) becomes NotFoundError for this thing. */
  notFound?: { kind: NotFoundKind; reference: string };
  /** Retry on 429/5xx/resets. Defaults to true except for PATCH. */
  idempotent?: boolean;
  /** The body is streamed by the caller: the timeout ends when the headers arrive. */
  stream?: boolean;
  signal?: AbortSignal | undefined;
}

export class Transport {
  readonly #retry: Required<RetryOptions>;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #insecure: boolean;
  readonly auth: Authorizer;

  constructor(opts: TransportOptions) {
    this.#retry = { ...defaultRetry, ...opts.retry };
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#userAgent = opts.userAgent ?? "ferry";
    this.#insecure = opts.insecure ?? false;
    this.auth = new Authorizer({
      credentials: opts.credentials,
      userAgent: this.#userAgent,
      timeoutMs: this.#timeoutMs,
    });
  }

  get retryPolicy(): Required<RetryOptions> {
    return this.#retry;
  }

  baseUrl(registry: string): string {
    return registryBaseUrl(registry, { insecure: this.#insecure });
  }

  url(registry: string, path: string): URL {
    return new URL(path, this.baseUrl(registry));
  }

  /** Sends the request and returns a response whose status is in `expect`, or throws a typed error. */
  async send(req: RegistryRequest): Promise<HttpResponse> {
    const res = await this.#sendAuthenticated(req);
    if (req.expect.includes(res.status)) return res;
    const codes = await errorCodes(res);
    if (res.status === 401 || res.status === 403) {
      const source = await this.auth.credentialSource(req.registry);
      throw new AuthenticationError(req.registry, res.status, source, codes[0]?.message);
    }
    if (res.status === 404 && req.notFound)
      throw new NotFoundError(req.notFound.kind, req.notFound.reference);
    throw new RegistryError(req.registry, req.operation, res.status, codes);
  }

  /** Anonymous or with what earlier challenges taught; on a 401, answers the challenge and tries once more. */
  async #sendAuthenticated(req: RegistryRequest): Promise<HttpResponse> {
    const authz = await this.auth.header(req.registry, req.scopes, req.signal);
    const res = await this.#sendWithRetry(req, authz);
    if (res.status !== 401) return res;
    const challenge = res.headers.get("www-authenticate");
    await discard(res);
    const next = await this.auth.respond(req.registry, challenge, req.scopes, authz, req.signal);
    return this.#sendWithRetry(req, next);
  }

  async #sendWithRetry(req: RegistryRequest, authz: string | undefined): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? req.method !== "PATCH";
    const url = this.url(req.registry, req.path);
    const headers: Record<string, string> = { "User-Agent": this.#userAgent, ...req.headers };
    if (authz) headers.Authorization = authz;
    for (let attempt = 0; ; attempt++) {
      const last = !idempotent || attempt + 1 >= this.#retry.maxAttempts;
      const outcome = await this.#once(req, url, headers);
      if ("error" in outcome) {
        if (last || !outcome.retriable) throw outcome.error;
        await wait(backoffDelay(attempt, this.#retry), req.signal);
        continue;
      }
      const res = outcome.res;
      if (last || !isRetriableStatus(res.status) || req.expect.includes(res.status)) return res;
      const after = parseRetryAfter(res.headers.get("retry-after"));
      await discard(res);
      await wait(backoffDelay(attempt, this.#retry, after), req.signal);
    }
  }

  /** One HTTP exchange under the per-request timeout; network failures come back as typed errors. */
  async #once(
    req: RegistryRequest,
    url: URL,
    headers: Record<string, string>,
  ): Promise<{ res: HttpResponse } | { error: Error; retriable: boolean }> {
    const timeout = new AbortController();
    // The reason is the typed error, so a body read cut by the timeout rejects with it too.
    const timer = setTimeout(
      () => timeout.abort(new RequestTimeoutError(req.registry, req.operation, this.#timeoutMs)),
      this.#timeoutMs,
    );
    timer.unref();
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    try {
      const res = await httpRequest(url, { method: req.method, headers, body: req.body, signal });
      // Streamed bodies are bounded by the caller's signal; small bodies stay under the timeout until read.
      if (req.stream || req.method === "HEAD") clearTimeout(timer);
      return { res };
    } catch (err) {
      clearTimeout(timer);
      req.signal?.throwIfAborted();
      if (timeout.signal.aborted) {
        return {
          error: new RequestTimeoutError(req.registry, req.operation, this.#timeoutMs, err),
          retriable: true,
        };
      }
      const code = networkCode(err);
      const port = url.port || (url.protocol === "https:" ? "443" : "80");
      return {
        error: new RegistryUnreachableError(req.registry, url.hostname, port, code, err),
        retriable: isRetriableNetworkCode(code),
      };
    }
  }
}

/** The error code of a failed request (ECONNREFUSED, ECONNRESET, …), or the innermost message. */
export function networkCode(err: unknown): string | undefined {
  let cur: unknown = err;
  let message: string | undefined;
  for (let i = 0; i < 5 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (cur instanceof Error) message = cur.message;
    cur = (cur as { cause?: unknown }).cause;
  }
  return message;
}

/** Drops a response body that is not wanted (see HttpResponse.discard). */
export async function discard(res: HttpResponse): Promise<void> {
  res.discard();
}

/** The registry's `{"errors":[{"code","message"}]}` body, or [] when there is none. */
export async function errorCodes(res: HttpResponse): Promise<RegistryErrorCode[]> {
  try {
    const text = await res.text();
    if (!text) return [];
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    return (body.errors ?? []).map((e) => ({ code: String(e.code ?? ""), message: String(e.message ?? "") }));
  } catch {
    return [];
  }
}

export function repoScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}
