import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { main } from "./main.ts";

export async function runCli(argv: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await main(argv, { stdout, stderr, env, cwd, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

test("--help prints usage and exits 0", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ferry/);
});

test("an unknown command exits 2 with a message", async () => {
  const r = await runCli(["no-such-command"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: /);
});
