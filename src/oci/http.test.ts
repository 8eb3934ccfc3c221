import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { httpRequest } from "./http.ts";
import { fakeServer } from "./testing.ts";

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  length: string | undefined;
  chunked: boolean;
  body: string;
  socket: unknown;
}

/** A server that answers /from with `status` and Location /to, and /to with 200; it records every request. */
async function redirecting(status: number) {
  const seen: Seen[] = [];
  const srv = await fakeServer((req, res, body) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      auth: req.headers.authorization,
      length: req.headers["content-length"],
      chunked: req.headers["transfer-encoding"] === "chunked",
      body: body.toString(),
      socket: req.socket,
    });
    if (req.url === "/from") res.writeHead(status, { Location: "/to" });
    else res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(req.url === "/to" ? "done" : "moved");
  });
  return { srv, seen };
}

describe("httpRequest (fake server)", () => {
  // fetch's rules: 303 (and 301/302 after a POST) turn into a GET without body; 307/308 repeat the request.
  const cases = [
    { status: 301, method: "POST", want: "GET", body: "" },
    { status: 302, method: "POST", want: "GET", body: "" },
    { status: 302, method: "PUT", want: "PUT", body: "payload" },
    { status: 303, method: "PUT", want: "GET", body: "" },
    { status: 307, method: "POST", want: "POST", body: "payload" },
    { status: 308, method: "PUT", want: "PUT", body: "payload" },
  ];
  for (const c of cases) {
    it(`follows a ${c.status} after a ${c.method} as ${c.want}`, async () => {
      const { srv, seen } = await redirecting(c.status);
      try {
        const res = await httpRequest(new URL(`${srv.url}/from`), {
          method: c.method,
          headers: { Authorization: "Bearer t", "Content-Type": "text/plain" },
          body: "payload",
        });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "done");
        assert.equal(res.url, `${srv.url}/to`);
        const [, second] = seen;
        assert.equal(second?.method, c.want);
        assert.equal(second?.body, c.body);
        // Same origin: the credentials go along.
        assert.equal(second?.auth, "Bearer t");
      } finally {
        await srv.close();
      }
    });
  }

  it("gives up after 20 redirects", async () => {
    const srv = await fakeServer((_req, res) => {
      res.writeHead(302, { Location: "/again" });
      res.end();
    });
    try {
      await assert.rejects(httpRequest(new URL(`${srv.url}/again`), { method: "GET" }), (err: unknown) => {
        assert.equal((err as { code?: string }).code, "ERR_TOO_MANY_REDIRECTS");
        return true;
      });
    } finally {
      await srv.close();
    }
  });

  it("sends an explicit length, never chunked: bytes, an empty PUT, and a file streamed from disk", async () => {
    const { srv, seen } = await redirecting(200);
    const dir = await mkdtemp(join(tmpdir(), "ferry-http-"));
    try {
      const file = join(dir, "blob");
      await writeFile(file, "x".repeat(300_000));
      await (await httpRequest(new URL(`${srv.url}/a`), { method: "PUT", body: new Uint8Array(5) })).text();
      await (await httpRequest(new URL(`${srv.url}/b`), { method: "PUT" })).text();
      await (
        await httpRequest(new URL(`${srv.url}/c`), { method: "PUT", body: { path: file, size: 300_000 } })
      ).text();
      assert.deepEqual(
        seen.map((s) => [s.length, s.chunked, s.body.length]),
        [
          ["5", false, 5],
          ["0", false, 0],
          ["300000", false, 300_000],
        ],
      );
    } finally {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a discarded small body keeps the connection for the next request", async () => {
    const { srv, seen } = await redirecting(200);
    try {
      const first = await httpRequest(new URL(`${srv.url}/x`), { method: "GET" });
      first.discard();
      await new Promise((r) => setTimeout(r, 20));
      await (await httpRequest(new URL(`${srv.url}/y`), { method: "GET" })).text();
      assert.equal(seen.length, 2);
      assert.equal(seen[0]?.socket, seen[1]?.socket);
    } finally {
      await srv.close();
    }
  });

  it("an abort fails the request, and a body still being read, with the signal's reason", async () => {
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write("partial");
    });
    try {
      const ac = new AbortController();
      const res = await httpRequest(new URL(`${srv.url}/slow`), { method: "GET", signal: ac.signal });
      const reading = res.text();
      ac.abort(new Error("stop now"));
      await assert.rejects(reading, /stop now/);
      await assert.rejects(
        httpRequest(new URL(`${srv.url}/slow`), {
          method: "GET",
          signal: AbortSignal.abort(new Error("early")),
        }),
        /early/,
      );
    } finally {
      await srv.close();
    }
  });
});
