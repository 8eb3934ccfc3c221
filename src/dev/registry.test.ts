import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { startRegistry } from "./registry.ts";

describe("startRegistry (real docker-registry)", () => {
  it("starts without auth on 127.0.0.1, answers /v2/, and stop removes its folder", async () => {
    const reg = await startRegistry();
    try {
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
      assert.equal(reg.url, `http://${reg.host}`);
      const res = await fetch(`${reg.url}/v2/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    } finally {
      await reg.stop();
    }
    assert.equal(existsSync(reg.storageDir), false);
    await assert.rejects(fetch(`${reg.url}/v2/`));
  });

  it("starts behind htpasswd basic auth", async () => {
    const reg = await startRegistry({ auth: { username: "alice", password: "p4ss word" } });
    try {
      const anon = await fetch(`${reg.url}/v2/`);
      assert.equal(anon.status, 401);
      assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic realm=/);
      const basic = (u: string, p: string) => ({
        headers: { Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` },
      });
      assert.equal((await fetch(`${reg.url}/v2/`, basic("alice", "p4ss word"))).status, 200);
      assert.equal((await fetch(`${reg.url}/v2/`, basic("alice", "wrong"))).status, 401);
    } finally {
      await reg.stop();
    }
  });

  it("fails clearly when the binary cannot start", async () => {
    await assert.rejects(
      startRegistry({ binary: "/bin/false", startTimeoutMs: 2000 }),
      /test registry did not start/,
    );
  });
});
