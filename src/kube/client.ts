/**
 * A thin JSON client for the Kubernetes REST API: raw objects in and out (no typed model conversion, so no
 * field is ever dropped), an AbortSignal on every call, keep-alive connections, and a hook that sees each
 * request's verb, status and latency (for metrics and call counting). Authentication and TLS come from a
 * client-node `KubeConfig`.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { impersonate, serviceAccountUser } from "./config.ts";
import { KubeApiError, KubeConnectionError } from "./errors.ts";
import { RestMapper } from "./mapper.ts";

export interface RequestInfo {
  method: string;
  path: string;
  query: Readonly<Record<string, string | number | boolean | undefined>>;
  statusCode: number;
  durationMs: number;
}

export interface KubeClientOptions {
  /** Called after every request (also failed ones, with statusCode 0 when the connection failed). */
  onRequest?: (info: RequestInfo) => void;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Maximum sockets to the API server (default 16). */
  maxSockets?: number;
}

export interface RequestOptionsKube {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal: AbortSignal;
}

interface Prepared {
  base: URL;
  headers: Record<string, string>;
  agent: HttpAgent;
  tls: Pick<RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized" | "servername">;
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly mapper: RestMapper;
  readonly server: string;
  private readonly opts: KubeClientOptions;
  private prepared: Promise<Prepared> | undefined;
  private auth: { at: number; headers: Record<string, string> } | undefined;
  /** Requests sent so far (for benchmarks and tests). */
  requestCount = 0;

  constructor(kc: KubeConfig, opts: KubeClientOptions = {}) {
    this.kubeConfig = kc;
    this.opts = opts;
    const cluster = kc.getCurrentCluster();
    this.server = cluster?.server ?? "";
    this.mapper = new RestMapper(this);
  }

  /** A client acting as the service account NS/NAME (impersonation); shares the hook, not the cache. */
  asServiceAccount(namespace: string, name: string): KubeClient {
    return new KubeClient(impersonate(this.kubeConfig, serviceAccountUser(namespace, name)), this.opts);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    void this.prepared?.then((p) => p.agent.destroy()).catch(() => {});
  }

  /** Authentication headers, re-read from the KubeConfig every minute (rotated token files, exec plugins). */
  private async authHeaders(): Promise<Record<string, string>> {
    const now = Date.now();
    if (this.auth && now - this.auth.at < 60_000) return this.auth.headers;
    const o: RequestOptions & { headers?: Record<string, string> } = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(o);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k] = String(v);
    if (o.auth) headers.Authorization = `Basic ${Buffer.from(o.auth).toString("base64")}`;
    if (this.opts.userAgent) headers["User-Agent"] = this.opts.userAgent;
    this.auth = { at: now, headers };
    return headers;
  }

  private prepare(): Promise<Prepared> {
    this.prepared ??= (async () => {
      const o: RequestOptions & { headers?: Record<string, string> } = { headers: {} };
      await this.kubeConfig.applyToHTTPSOptions(o);
      const base = new URL(this.server);
      const headers = await this.authHeaders();
      const tls = {
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        rejectUnauthorized: o.rejectUnauthorized,
        servername: o.servername,
      };
      const agentOpts = { keepAlive: true, maxSockets: this.opts.maxSockets ?? 16 };
      const agent =
        base.protocol === "https:" ? new HttpsAgent({ ...agentOpts, ...tls }) : new HttpAgent(agentOpts);
      return { base, headers, agent, tls };
    })();
    return this.prepared;
  }

  /** Opens a request and resolves with the response stream (any status); used by watches. */
  async stream(opts: RequestOptionsKube): Promise<IncomingMessage> {
    const p = await this.prepare();
    const url = new URL(opts.path, p.base);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body =
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...(await this.authHeaders()), Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    this.requestCount++;
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        { method: opts.method ?? "GET", headers, agent: p.agent, signal: opts.signal },
        resolve,
      );
      req.on("error", (err) =>
        reject(opts.signal.aborted ? opts.signal.reason : new KubeConnectionError(this.server, err)),
      );
      req.end(body);
    });
  }

  /**
   * Sends one request and parses the JSON answer; non-2xx becomes a KubeApiError. Retries (at most 3 times)
   * when the server asks to (429, or 503 with Retry-After) and, except for POST, when a reused keep-alive
   * connection was reset before an answer came: every other verb Ferry sends is idempotent.
   */
  async request<T = unknown>(opts: RequestOptionsKube): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(opts);
      } catch (err) {
        const wait = attempt < 3 ? retryDelay(err, opts.method ?? "GET") : undefined;
        if (wait === undefined || opts.signal.aborted) throw err;
        await sleep(wait, undefined, { signal: opts.signal });
      }
    }
  }

  private async requestOnce<T>(opts: RequestOptionsKube): Promise<T> {
    const started = performance.now();
    const method = opts.method ?? "GET";
    let status = 0;
    try {
      const res = await this.stream(opts);
      status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      if (status < 200 || status > 299) {
        const after = Number(res.headers["retry-after"]);
        throw apiError(
          method,
          opts.path,
          status,
          text,
          Number.isFinite(after) ? Math.min(after, 10) * 1000 : undefined,
        );
      }
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      this.opts.onRequest?.({
        method,
        path: opts.path,
        query: opts.query ?? {},
        statusCode: status,
        durationMs: performance.now() - started,
      });
    }
  }
}

/** How long to wait before retrying, or undefined when the failure is final. */
function retryDelay(err: unknown, method: string): number | undefined {
  if (err instanceof KubeApiError) {
    if (err.statusCode === 429 || (err.statusCode === 503 && err.retryAfterMs !== undefined)) {
      return err.retryAfterMs ?? 1000;
    }
    return undefined;
  }
  if (err instanceof KubeConnectionError && method !== "POST") {
    const code = (err.cause as { code?: string } | undefined)?.code;
    if (code === "ECONNRESET" || code === "EPIPE") return 50;
  }
  return undefined;
}

function apiError(
  method: string,
  path: string,
  status: number,
  text: string,
  retryAfterMs?: number,
): KubeApiError {
  let reason = "";
  let message = text.split("\n")[0] ?? "";
  let fields: string[] = [];
  try {
    const s = JSON.parse(text) as {
      reason?: string;
      message?: string;
      details?: { causes?: Array<{ field?: string }> };
    };
    reason = s.reason ?? "";
    message = s.message ?? message;
    fields = (s.details?.causes ?? []).map((c) => c.field ?? "").filter((f) => f !== "");
  } catch {
    // not a Status object: keep the first line of the body
  }
  return new KubeApiError(method, path, status, reason || statusName(status), message, {
    fields,
    retryAfterMs,
  });
}

function statusName(code: number): string {
  const names: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    410: "Gone",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
  };
  return names[code] ?? "Unknown";
}
