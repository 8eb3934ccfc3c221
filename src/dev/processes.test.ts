import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePorts } from "./ports.ts";
import { isRunning, logTail, residentBytes, startProcess, stopProcess } from "./processes.ts";

test("a started process is recorded by pid and binary, logs to its file, and stops on SIGTERM", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-proc-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, "sh.log");
  const sh = "/bin/sh";
  const p = await startProcess(
    sh,
    ["-c", "trap 'exit 0' TERM; echo started; while :; do sleep 0.1; done"],
    log,
  );
  t.after(() => stopProcess(p.pid, sh, 100));
  assert.equal(await isRunning(p.pid, sh), true);
  // The same pid under another binary name is not "ours": never signalled.
  assert.equal(await isRunning(p.pid, "/usr/bin/other"), false);
  assert.equal(await stopProcess(p.pid, "/usr/bin/other"), false);
  // Nor is the same pid and binary with another start time: a later process that reused the pid.
  assert.ok(p.startTime && /^\d+$/.test(p.startTime));
  assert.equal(await isRunning(p.pid, sh, p.startTime), true);
  assert.equal(await isRunning(p.pid, sh, "1"), false);
  assert.equal(await stopProcess(p.pid, sh, 100, "1"), false);
  assert.ok((await residentBytes(p.pid)) > 0);

  for (let i = 0; i < 100 && !(await logTail(log)).includes("started"); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await logTail(log), "started");

  assert.equal(await stopProcess(p.pid, sh), true);
  assert.equal(await isRunning(p.pid, sh), false);
  assert.equal(await stopProcess(p.pid, sh), false);
  assert.equal(await residentBytes(p.pid), 0);
});

test("a process that ignores SIGTERM is killed after the grace period", async () => {
  const sh = "/bin/sh";
  const p = await startProcess(sh, ["-c", "trap '' TERM; while :; do sleep 0.1; done"], "/dev/null");
  assert.equal(await stopProcess(p.pid, sh, 300), true);
  assert.equal(await isRunning(p.pid, sh), false);
});

test("a missing binary fails to start", async () => {
  await assert.rejects(startProcess("/nonexistent/ferry-bin", [], "/dev/null"), /ENOENT/);
});

test("freePorts returns distinct ports", async () => {
  const ports = await freePorts(5);
  assert.equal(new Set(ports).size, 5);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});

test("logTail of a missing file is empty", async () => {
  assert.equal(await logTail("/nonexistent/ferry.log"), "");
});
