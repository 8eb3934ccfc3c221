import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { processesMentioning } from "./processes.ts";
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

  it("is stopped and its folder removed when the process that started it is killed", async (t) => {
    const url = new URL("./registry.ts", import.meta.url).href;
    const code = `const { startRegistry } = await import(${JSON.stringify(url)});
const r = await startRegistry();
process.stdout.write(r.storageDir + "\\n");
setInterval(() => {}, 60000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    t.after(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    for (let i = 0; i < 600 && !out.includes("\n") && child.exitCode === null; i++) await sleep(100);
    const dir = dirname(out.trim());
    assert.match(dir, /ferry-registry-/);
    const [registry] = await processesMentioning(`${dir}/config.yml`);
    assert.ok(registry, "the registry runs");

    child.kill("SIGKILL");
    for (let i = 0; i < 600 && existsSync(dir); i++) await sleep(100);
    assert.equal(existsSync(dir), false, "the watchdog removed the folder");
    assert.deepEqual(await processesMentioning(`${dir}/`), [], "and stopped the registry");
  });

  it("fails clearly when the binary cannot start", async () => {
    await assert.rejects(
      startRegistry({ binary: "/bin/false", startTimeoutMs: 2000 }),
      /test registry did not start/,
    );
  });
});
