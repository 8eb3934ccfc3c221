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

test("each command group claims exactly the top-level commands it defines", async () => {
  const { buildProgram, commandGroups } = await import("./main.ts");
  const { PassThrough } = await import("node:stream");
  const ctx = {
    env: {},
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    signal: new AbortController().signal,
    cwd: process.cwd(),
    exitCode: 0,
  };
  for (const g of commandGroups) {
    const program = buildProgram(ctx, [await g.load()]);
    const defined = program.commands.map((c) => c.name()).sort();
    assert.deepEqual(defined, [...g.names].sort());
  }
});

test("a command line loads only its own group: help for one command works", async () => {
  const r = await runCli(["push", "artifact", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ferry push artifact/);
});
