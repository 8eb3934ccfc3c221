/**
 * bin/ferry.js as a real process, the way CI runs it: its start-up path (V8 flags for publish commands,
 * the compile cache, per-command loading) must give the same results and exit codes as `main()` in-process.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "ferry.js");

function ferry(
  args: string[],
  home: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => {
      stdout += d;
    });
    p.stderr.on("data", (d) => {
      stderr += d;
    });
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("bin/ferry.js as a process", () => {
  let regs: SharedRegistries;
  let dir: string;
  before(async () => {
    regs = await sharedRegistries();
    dir = await mkdtemp(join(tmpdir(), "ferry-bin-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await regs.stop();
  });

  it("pushes and pulls an artifact, byte for byte", async () => {
    const src = join(dir, "src");
    await mkdir(join(src, "apps"), { recursive: true });
    await writeFile(join(src, "apps", "cm.yaml"), "kind: ConfigMap\n");
    await writeFile(join(src, "big.bin"), Buffer.alloc(300_000, 7));
    const ref = `oci://${regs.open}/${uniqueRepo("bin")}:v1.0.0`;
    const push = await ferry(
      [
        "push",
        "artifact",
        ref,
        "--path",
        src,
        "--source",
        "https://example.com/r",
        "--revision",
        "main@sha1:1",
      ],
      dir,
    );
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /@sha256:[0-9a-f]{64}/);
    const out = join(dir, "out");
    const pull = await ferry(["pull", "artifact", ref, "--output", out], dir);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(await readFile(join(out, "apps", "cm.yaml"), "utf8"), "kind: ConfigMap\n");
    assert.deepEqual(await readFile(join(out, "big.bin")), Buffer.alloc(300_000, 7));
  });

  it("keeps main()'s exit codes: 2 for bad usage, 1 for a failed operation, 0 for help", async () => {
    const usage = await ferry(["push", "artifact", "not-a-reference", "--path", "."], dir);
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /^error: /m);
    const missing = await ferry(
      [
        "pull",
        "artifact",
        `oci://${regs.open}/${uniqueRepo("bin-missing")}:v1`,
        "--output",
        join(dir, "none"),
      ],
      dir,
    );
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /^error: /m);
    const help = await ferry(["--help"], dir);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /push/);
  });
});

it("a reader that closes the pipe early (ferry … | head -1) ends ferry quietly, without a stack trace", async () => {
  const p = spawn(process.execPath, [bin, "push", "artifact", "--help"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  p.stderr.on("data", (d) => {
    stderr += d;
  });
  // Close our end before ferry writes, as `head -1` does once it has its line: every write then fails.
  p.stdout.destroy();
  const code = await new Promise<number | null>((resolve, reject) => {
    p.on("error", reject);
    p.on("close", resolve);
  });
  assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
  assert.equal(code, 0, stderr);
});
