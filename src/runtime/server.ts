/** The probe and metrics endpoint: `/healthz`, `/readyz` (named checks) and `/metrics` on a node:http server. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { MetricsRegistry } from "./metrics.ts";

export type Check = () => boolean | string;

export interface ProbeServerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = a free one; see `port` after start). */
  port?: number;
  registry: MetricsRegistry;
  /** Liveness checks: a string or false fails the probe (the string says why). */
  healthChecks?: Record<string, Check>;
  /** Readiness checks (e.g. informers synced, leader elected). */
  readyChecks?: Record<string, Check>;
}

export class ProbeServer {
  private readonly opts: ProbeServerOptions;
  private readonly listening: PromiseWithResolvers<number> = Promise.withResolvers<number>();

  constructor(opts: ProbeServerOptions) {
    this.opts = opts;
  }

  /** The bound port, once listening. */
  port(): Promise<number> {
    return this.listening.promise;
  }

  addReadyCheck(name: string, check: Check): void {
    this.opts.readyChecks = { ...(this.opts.readyChecks ?? {}), [name]: check };
  }

  async start(signal: AbortSignal): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/metrics") {
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(this.opts.registry.expose());
        return;
      }
      if (path === "/healthz" || path === "/readyz") {
        const { ok, body } = runChecks(
          path.slice(1),
          (path === "/healthz" ? this.opts.healthChecks : this.opts.readyChecks) ?? {},
        );
        res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(body);
        return;
      }
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? "127.0.0.1", () => resolve());
    });
    this.listening.resolve((server.address() as AddressInfo).port);
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    });
  }
}

function runChecks(probe: string, checks: Record<string, Check>): { ok: boolean; body: string } {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    const r = check();
    const pass = r === true;
    ok &&= pass;
    lines.push(pass ? `[+]${name} ok` : `[-]${name} failed: ${r === false ? "not ready" : r}`);
  }
  lines.push(`${probe} ${ok ? "ok" : "failed"}`);
  return { ok, body: `${lines.join("\n")}\n` };
}
