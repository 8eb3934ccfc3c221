/** KubeClient.request retry rules, against a local HTTP server standing in for the API server (unit test). */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { KubeClient } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { KubeApiError, KubeConnectionError } from "./errors.ts";

async function withServer(
  handler: (
    n: number,
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
  ) => void,
  fn: (client: KubeClient) => Promise<void>,
): Promise<void> {
  let n = 0;
  const server = createServer((req, res) => handler(n++, req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const kc = loadKubeConfig({
    text: `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
  });
  const client = new KubeClient(kc);
  try {
    await fn(client);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const signal = AbortSignal.timeout(30_000);

test("429 with Retry-After is retried; the answer after it is returned", async () => {
  await withServer(
    (n, _req, res) => {
      if (n === 0) {
        res.writeHead(429, { "Retry-After": "0", "Content-Type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", reason: "TooManyRequests", message: "slow down" }));
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ok: true }));
    },
    async (client) => {
      assert.deepEqual(await client.request({ path: "/api", signal }), { ok: true });
      assert.equal(client.requestCount, 2);
    },
  );
});

test("a reset connection is retried for idempotent verbs, never for POST", async () => {
  await withServer(
    (n, req, res) => {
      if (n === 0 || req.method === "POST") {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    },
    async (client) => {
      assert.deepEqual(await client.request({ path: "/api", signal }), {});
      await assert.rejects(
        client.request({ method: "POST", path: "/api/v1/namespaces", body: {}, signal }),
        KubeConnectionError,
      );
    },
  );
});

test("API errors carry the Status reason, message, causes' fields and a hint", async () => {
  await withServer(
    (_n, _req, res) => {
      res.writeHead(403, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          reason: "Forbidden",
          message: "no",
          details: { causes: [{ field: "spec.x" }] },
        }),
      );
    },
    async (client) => {
      await assert.rejects(client.request({ path: "/api/v1/secrets", signal }), (err: unknown) => {
        assert.ok(err instanceof KubeApiError);
        assert.equal(err.statusCode, 403);
        assert.deepEqual(err.fields, ["spec.x"]);
        assert.match(
          err.message,
          /GET \/api\/v1\/secrets failed: 403 Forbidden: no; grant the permission with RBAC/,
        );
        return true;
      });
      assert.equal(client.requestCount, 1, "a 403 is final");
    },
  );
});
