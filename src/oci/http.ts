/**
 * The HTTP exchange under the registry client: one request over node:http or node:https (keep-alive
 * through Node's global agents), following redirects as fetch does, with the body exposed as a Node
 * stream. It replaces `fetch` because undici, behind `fetch`, `Response` and `Headers`, costs a CLI
 * process ~17 MiB of memory and ~40 ms to load (docs/publish.md, benchmark). No retries, auth or status
 * handling here: transport.ts does that.
 */
import { createReadStream } from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";

/** A file region sent as the body, read from disk as it goes (memory stays bounded). */
export interface FileBody {
  path: string;
  /** Byte count; sent as Content-Length. */
  size: number;
}

export type HttpBody = Uint8Array | string | FileBody;

export interface HttpRequestInit {
  method: string;
  headers?: Record<string, string> | undefined;
  body?: HttpBody | undefined;
  signal?: AbortSignal | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/** An unread body up to this size is drained so the connection can be reused; a larger one is cut. */
const DRAIN_LIMIT = 64 * 1024;

/** Response headers, read as fetch's `Headers` reads them. */
export class HttpHeaders {
  readonly #raw: IncomingHttpHeaders;
  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }
  /** The value (several joined by ", "), or null. Names are case-insensitive. */
  get(name: string): string | null {
    const v = this.#raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(", ") : v;
  }
  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }
}

/** A response whose body is a Node stream; `text`, `json` and `bytes` read it once. */
export class HttpResponse {
  readonly status: number;
  /** The URL that answered (after redirects). */
  readonly url: string;
  readonly headers: HttpHeaders;
  readonly #message: IncomingMessage;
  readonly #head: boolean;

  constructor(message: IncomingMessage, url: string, head: boolean) {
    this.status = message.statusCode ?? 0;
    this.url = url;
    this.headers = new HttpHeaders(message.headers);
    this.#message = message;
    this.#head = head;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body stream (null for HEAD). Errors with the abort reason when the request is cancelled. */
  get body(): Readable | null {
    return this.#head ? null : this.#message;
  }

  async bytes(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.#message) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /**
   * Drops the body: a small or finished one is drained so the connection goes back to the pool, a large
   * one (an unwanted blob) closes the connection instead of being downloaded.
   */
  discard(): void {
    const m = this.#message;
    if (m.readableEnded || m.destroyed) return;
    const length = Number(m.headers["content-length"] ?? Number.NaN);
    if (this.#head || m.complete || length <= DRAIN_LIMIT) m.resume();
    else m.destroy();
  }
}

/**
 * Sends one request and returns the response once its headers arrived, following up to 20 redirects the
 * way fetch does (303, and 301/302 after a POST, become a GET without body; credentials are dropped when
 * the redirect leaves the origin). Network failures reject with Node's error (`code` ECONNREFUSED, …);
 * an aborted signal rejects with its reason, and also fails a body still being read.
 */
export async function httpRequest(url: URL, init: HttpRequestInit): Promise<HttpResponse> {
  let current = url;
  let method = init.method.toUpperCase();
  let body = init.body;
  let headers = lowerCaseKeys(init.headers ?? {});
  for (let hop = 0; ; hop++) {
    const res = await exchange(current, method, headers, body, init.signal);
    const location = res.headers.get("location");
    if (!REDIRECTS.has(res.status) || location === null) return res;
    res.discard();
    if (hop >= MAX_REDIRECTS) {
      throw Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects from ${url.origin}`), {
        code: "ERR_TOO_MANY_REDIRECTS",
      });
    }
    const next = new URL(location, current);
    if (
      (res.status === 303 && method !== "HEAD") ||
      ((res.status === 301 || res.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = undefined;
      headers = withoutKeys(headers, [
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
      ]);
    }
    if (next.origin !== current.origin) {
      headers = withoutKeys(headers, ["authorization", "proxy-authorization", "cookie", "host"]);
    }
    current = next;
  }
}

function lowerCaseKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function withoutKeys(h: Record<string, string>, drop: string[]): Record<string, string> {
  const out = { ...h };
  for (const k of drop) delete out[k];
  return out;
}

function bodyLength(body: HttpBody): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.length;
  return body.size;
}

async function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: HttpBody | undefined,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  signal?.throwIfAborted();
  // node:https (and TLS) is loaded only for https registries: a loopback registry never pays for it. Not
  // through import(): an ES module facade reads every export of node:http, and its lazy WebSocket
  // getters load undici, the very cost this module exists to avoid.
  const { request } =
    url.protocol === "https:"
      ? process.getBuiltinModule("node:https")
      : process.getBuiltinModule("node:http");
  const out: OutgoingHttpHeaders = { accept: "*/*", ...headers };
  // Node would send a body-less PUT/POST/PATCH chunked; registries expect an explicit length, as fetch sends.
  if (body !== undefined) out["content-length"] ??= String(bodyLength(body));
  else if (method !== "GET" && method !== "HEAD") out["content-length"] ??= "0";
  return new Promise<HttpResponse>((resolve, reject) => {
    let message: IncomingMessage | undefined;
    const req = request(url, { method, headers: out });
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      req.destroy(reason as Error);
      message?.destroy(reason as Error);
      reject(reason);
    };
    const release = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => {
      release();
      reject(err);
    });
    req.on("response", (m: IncomingMessage) => {
      message = m;
      // Body errors (a cut connection, the abort reason) reach whoever reads the body; without a reader
      // they must not crash the process.
      m.on("error", () => {});
      m.on("close", release);
      resolve(new HttpResponse(m, url.toString(), method === "HEAD"));
    });
    if (body === undefined || typeof body === "string" || body instanceof Uint8Array) {
      req.end(body);
      return;
    }
    if (body.size === 0) {
      req.end();
      return;
    }
    const file = createReadStream(body.path, { start: 0, end: body.size - 1, highWaterMark: 256 * 1024 });
    file.on("error", (err) => req.destroy(err));
    file.pipe(req);
  });
}
