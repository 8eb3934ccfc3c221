import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isRunning, startProcess, stopProcess } from "./processes.ts";
import { startWatchdog, watchPid } from "./watchdog.ts";

test("when the owner dies, the watchdog stops the watched processes and removes the folder", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-watchdog-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "logs"));
  const sh = "/bin/sh";
  const loop = ["-c", "while :; do sleep 0.1; done"];
  const owner = await startProcess(sh, loop, "/dev/null");
  const component = await startProcess(sh, loop, "/dev/null");
  t.after(() => stopProcess(component.pid, sh, 100));
  const dog = await startWatchdog(dir, owner.pid);
  t.after(() => stopProcess(dog.pid, dog.bin, 100));
  await watchPid(dir, component.pid);

  assert.equal(await isRunning(dog.pid, sh), true);
  await stopProcess(owner.pid, sh);
  for (let i = 0; i < 300 && existsSync(dir); i++) await sleep(100);
  assert.equal(existsSync(dir), false);
  assert.equal(await isRunning(component.pid, sh), false);
  assert.equal(await isRunning(dog.pid, sh), false);
});
