/**
 * A minimal HTTPS client for the few API calls the cluster bootstrap makes (health, namespaces, nodes), with
 * the admin client certificate. Not a Kubernetes client: `src/kube` is.
 */
import { request } from "node:https";

export interface ApiConnection {
  server: string;
  ca: string;
  /** Client certificate and key (PEM), or a bearer token. */
  cert?: string;
  key?: string;
  token?: string;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export async function apiRequest(
  conn: ApiConnection,
  method: string,
  path: string,
  opts: { body?: unknown; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ApiResponse> {
  const url = new URL(path, conn.server);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return await new Promise<ApiResponse>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: conn.ca,
        ...(conn.cert && conn.key ? { cert: conn.cert, key: conn.key } : {}),
        signal: opts.signal,
        timeout: opts.timeoutMs ?? 10000,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json" } : {}),
          ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** GET `path` and parse JSON; undefined on any non-200 status or connection error. */
export async function apiGetJson<T>(
  conn: ApiConnection,
  path: string,
  signal?: AbortSignal,
): Promise<T | undefined> {
  try {
    const res = await apiRequest(conn, "GET", path, signal ? { signal } : {});
    return res.status === 200 ? (JSON.parse(res.body) as T) : undefined;
  } catch {
    if (signal?.aborted) throw signal.reason;
    return undefined;
  }
}
