import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort } from "../dev/registry.ts";
import { OciClient } from "./client.ts";
import { RegistryError, RegistryUnreachableError, RequestTimeoutError } from "./errors.ts";
import { backoffDelay, defaultRetry, isRetriableStatus, parseRetryAfter } from "./retry.ts";
import { fakeServer } from "./testing.ts";

const tagsBody = JSON.stringify({ name: "r", tags: ["ok"] });
const fast = { baseDelayMs: 1, maxDelayMs: 20 };

describe("retry policy", () => {
  it("classifies statuses", () => {
    for (const s of [429, 500, 502, 503, 504]) assert.equal(isRetriableStatus(s), true, String(s));
    for (const s of [400, 401, 403, 404, 501]) assert.equal(isRetriableStatus(s), false, String(s));
  });
  it("parses Retry-After seconds and dates", () => {
    assert.equal(parseRetryAfter("3"), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
  it("backs off exponentially within the cap, honouring Retry-After up to the cap", () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = backoffDelay(attempt, defaultRetry);
      const ceiling = Math.min(defaultRetry.maxDelayMs, defaultRetry.baseDelayMs * 2 ** attempt);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `${attempt}: ${d}`);
    }
    assert.equal(backoffDelay(0, defaultRetry, 1234), 1234);
    assert.equal(backoffDelay(0, defaultRetry, 999_999), defaultRetry.maxDelayMs);
  });
});

describe("transport against misbehaving servers (fake)", () => {
  it("retries 503 and 429 (with Retry-After) and then succeeds", async () => {
    let calls = 0;
    const srv = await fakeServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503);
        res.end();
      } else if (calls === 2) {
        res.writeHead(429, { "Retry-After": "0" });
        res.end();
      } else {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(tagsBody);
      }
    });
    try {
      assert.deepEqual(await new OciClient({ retry: fast }).listTags(`${srv.host}/r`), ["ok"]);
      assert.equal(calls, 3);
    } finally {
      await srv.close();
    }
  });

  it("retries a connection reset", async () => {
    let calls = 0;
    const srv = await fakeServer((req, res) => {
      calls++;
      if (calls === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(tagsBody);
    });
    try {
      assert.deepEqual(await new OciClient({ retry: fast }).listTags(`${srv.host}/r`), ["ok"]);
      assert.equal(calls, 2);
    } finally {
      await srv.close();
    }
  });

  it("gives up after maxAttempts with the registry's error codes", async () => {
    let calls = 0;
    const srv = await fakeServer((_req, res) => {
      calls++;
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end('{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}');
    });
    try {
      await assert.rejects(
        new OciClient({ retry: { ...fast, maxAttempts: 3 } }).listTags(`${srv.host}/r`),
        (err: unknown) => {
          assert.ok(err instanceof RegistryError);
          assert.equal(err.status, 500);
          assert.deepEqual(err.codes, [{ code: "UNKNOWN", message: "storage backend down" }]);
          assert.match(
            err.message,
            /list tags of .*\/r failed on registry .* HTTP 500: UNKNOWN storage backend down/,
          );
          return true;
        },
      );
      assert.equal(calls, 3);
    } finally {
      await srv.close();
    }
  });

  it("does not replay a PATCH in place: the upload restarts as a new session", async () => {
    const seen: string[] = [];
    const srv = await fakeServer((req, res) => {
      seen.push(req.method ?? "");
      if (req.method === "HEAD") {
        res.writeHead(404);
        res.end();
      } else if (req.method === "POST") {
        res.writeHead(202, { Location: "/v2/r/blobs/uploads/u1" });
        res.end();
      } else {
        res.writeHead(503);
        res.end();
      }
    });
    try {
      const client = new OciClient({ retry: { ...fast, maxAttempts: 2 }, chunkThreshold: 1, chunkSize: 4 });
      await assert.rejects(client.pushBlob(`${srv.host}/r`, new Uint8Array(10)), RegistryError);
      assert.deepEqual(seen, ["HEAD", "POST", "PATCH", "HEAD", "POST", "PATCH"]);
    } finally {
      await srv.close();
    }
  });

  it("reports a closed port as unreachable, naming host and port", async () => {
    const port = await freePort();
    await assert.rejects(new OciClient({ retry: fast }).listTags(`127.0.0.1:${port}/r`), (err: unknown) => {
      assert.ok(err instanceof RegistryUnreachableError);
      assert.equal(err.host, "127.0.0.1");
      assert.equal(err.port, String(port));
      assert.match(
        err.message,
        new RegExp(
          `cannot reach registry 127\\.0\\.0\\.1:${port} .*ECONNREFUSED.*is the registry running\\?`,
        ),
      );
      return true;
    });
  });

  it("reports a host that does not resolve as unreachable, over https by default", async () => {
    await assert.rejects(
      new OciClient({ retry: fast }).listTags("ferry-nonexistent.invalid/r"),
      (err: unknown) => {
        assert.ok(err instanceof RegistryUnreachableError);
        assert.equal(err.host, "ferry-nonexistent.invalid");
        assert.equal(err.port, "443");
        return true;
      },
    );
  });

  it("times out a request that never answers", async () => {
    let calls = 0;
    const srv = await fakeServer(() => {
      calls++; // never answers
    });
    try {
      const client = new OciClient({ timeoutMs: 100, retry: { ...fast, maxAttempts: 2 } });
      await assert.rejects(client.listTags(`${srv.host}/r`), (err: unknown) => {
        assert.ok(err instanceof RequestTimeoutError);
        assert.match(err.message, /timed out after 100 ms/);
        return true;
      });
      assert.equal(calls, 2);
    } finally {
      await srv.close();
    }
  });

  it("cancels an in-flight request with the caller's signal, without retrying", async () => {
    let calls = 0;
    let arrived: () => void = () => {};
    const first = new Promise<void>((r) => {
      arrived = r;
    });
    const srv = await fakeServer(() => {
      calls++;
      arrived();
    });
    try {
      const ac = new AbortController();
      const pending = new OciClient({ retry: fast }).listTags(`${srv.host}/r`, { signal: ac.signal });
      await first;
      ac.abort(new Error("user cancelled"));
      await assert.rejects(pending, /user cancelled/);
      assert.equal(calls, 1);
      await assert.rejects(
        new OciClient().listTags(`${srv.host}/r`, { signal: AbortSignal.abort(new Error("already")) }),
        /already/,
      );
    } finally {
      await srv.close();
    }
  });

  it("cancels a backoff wait", async () => {
    const srv = await fakeServer((_req, res) => {
      res.writeHead(503, { "Retry-After": "60" });
      res.end();
    });
    try {
      const ac = new AbortController();
      const client = new OciClient({ retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 60_000 } });
      const pending = client.listTags(`${srv.host}/r`, { signal: ac.signal });
      setImmediate(() => setTimeout(() => ac.abort(new Error("stop waiting")), 50));
      await assert.rejects(pending, /stop waiting/);
    } finally {
      await srv.close();
    }
  });

  it("honours a registry's minimum chunk size (OCI-Chunk-Min-Length)", async () => {
    const ranges: string[] = [];
    const srv = await fakeServer((req, res) => {
      if (req.method === "HEAD") {
        res.writeHead(404);
      } else if (req.method === "POST") {
        res.writeHead(202, { Location: "/v2/r/blobs/uploads/u1?_state=x", "OCI-Chunk-Min-Length": "6" });
      } else if (req.method === "PATCH") {
        ranges.push(String(req.headers["content-range"]));
        res.writeHead(202, { Location: `/v2/r/blobs/uploads/u1?_state=${ranges.length}` });
      } else {
        assert.equal(req.method, "PUT");
        assert.match(req.url ?? "", /^\/v2\/r\/blobs\/uploads\/u1\?_state=2&digest=sha256%3A[0-9a-f]{64}$/);
        res.writeHead(201);
      }
      res.end();
    });
    try {
      const client = new OciClient({ chunkThreshold: 1, chunkSize: 2 });
      const pushed = await client.pushBlob(`${srv.host}/r`, new Uint8Array(10));
      assert.equal(pushed.chunks, 2);
      assert.deepEqual(ranges, ["0-5", "6-9"]);
    } finally {
      await srv.close();
    }
  });

  it("times out a small read whose body stalls after the headers", async () => {
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, {
        "Content-Type": "application/vnd.oci.image.index.v1+json",
        "Content-Length": "100",
      });
      res.write('{"schemaVersion":2,');
    });
    try {
      const client = new OciClient({ timeoutMs: 200, retry: fast });
      await assert.rejects(client.getManifest(`${srv.host}/r:t`), RequestTimeoutError);
    } finally {
      await srv.close();
    }
  });

  it("restarts an upload whose session was lost and finishes it", async () => {
    const seen: string[] = [];
    let sessions = 0;
    let stored = false;
    const srv = await fakeServer((req, res) => {
      seen.push(req.method ?? "");
      if (req.method === "HEAD") {
        res.writeHead(stored ? 200 : 404, stored ? { "Content-Length": "10" } : {});
      } else if (req.method === "POST") {
        sessions++;
        res.writeHead(202, { Location: `/v2/r/blobs/uploads/s${sessions}` });
      } else if (req.method === "PATCH") {
        // The first session disappears (registry restarted, session purged).
        res.writeHead(sessions === 1 ? 404 : 202, { Location: req.url ?? "" });
      } else {
        stored = true;
        res.writeHead(201);
      }
      res.end();
    });
    try {
      const client = new OciClient({ retry: fast, chunkThreshold: 1, chunkSize: 5 });
      const pushed = await client.pushBlob(`${srv.host}/r`, new Uint8Array(10));
      assert.equal(pushed.action, "uploaded");
      assert.equal(pushed.chunks, 2);
      assert.deepEqual(seen, ["HEAD", "POST", "PATCH", "HEAD", "POST", "PATCH", "PATCH", "PUT"]);
    } finally {
      await srv.close();
    }
  });
});
