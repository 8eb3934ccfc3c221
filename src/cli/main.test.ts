import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./testing.ts";

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
