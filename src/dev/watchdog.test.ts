import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { deleteClusterDir } from "./delete.ts";
import {
  isRunning,
  processesMentioning,
  type StartedProcess,
  startProcess,
  stopProcess,
} from "./processes.ts";
import { type ClusterState, readState, writeState } from "./state.ts";
import { startWatchdog, watchPid } from "./watchdog.ts";

const sh = "/bin/sh";
const loop = (setup = "") => ["-c", `${setup} while :; do sleep 0.1; done`];

/** Polls until `check` holds, for at most `limitMs` (a bound on a hang, not a timed assertion). */
async function eventually(check: () => Promise<boolean> | boolean, limitMs = 60_000): Promise<boolean> {
  for (const end = Date.now() + limitMs; Date.now() < end; await sleep(100)) if (await check()) return true;
  return await check();
}

async function gone(...procs: Array<{ pid: number }>): Promise<boolean> {
  for (const p of procs) if (await isRunning(p.pid, sh)) return false;
  return true;
}

/** A folder laid out as a throwaway cluster's: logs/, and a stand-in component that names a file in it. */
async function fakeClusterDir(t: { after: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-watchdog-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "logs"));
  return dir;
}

test("when the owner dies, the watchdog stops the listed processes, their groups and whatever names the folder, then removes it", async (t) => {
  const dir = await fakeClusterDir(t);
  const started: StartedProcess[] = [];
  const start = async (args: string[]) => {
    const p = await startProcess(sh, args, "/dev/null");
    started.push(p);
    t.after(() => stopProcess(p.pid, sh, 100));
    return p;
  };
  const owner = await start(loop());
  const dog = await startWatchdog(dir, owner.pid);
  t.after(() => stopProcess(dog.pid, dog.bin, 100));
  // Listed: one that exits on SIGTERM, one that ignores it (SIGKILL after the grace period), one with a
  // child in its process group.
  const plain = await start(loop());
  const stubborn = await start(loop("trap '' TERM;"));
  const parent = await start(["-c", `sleep 1000 & echo $! > ${dir}/child.pid; wait`]);
  for (const p of [plain, stubborn, parent]) await watchPid(dir, p.pid);
  const listed = (await readFile(join(dir, "pids"), "utf8")).split("\n");
  assert.deepEqual(listed, [plain.pid, stubborn.pid, parent.pid, ""].map(String), "bare pids, one a line");
  // Not listed, but names a file in the folder: an API server a test restarted, say.
  const unlisted = await start([...loop(), "ignored", `--data-dir=${dir}/etcd`]);
  // Listed with another start time: the pid was reused by an unrelated process, which must live on.
  const bystander = await start(loop());
  await writeFile(join(dir, "procs"), `${bystander.pid} 1 ${sh}\n`, { flag: "a" });
  assert.ok(await eventually(() => existsSync(join(dir, "child.pid"))));
  const child = { pid: Number(await readFile(join(dir, "child.pid"), "utf8")) };
  assert.ok(await isRunning(child.pid, "sleep"));

  assert.equal(await isRunning(dog.pid, sh), true);
  await stopProcess(owner.pid, sh);
  assert.ok(await eventually(() => !existsSync(dir)), "the folder is removed");
  // Removing the folder is the watchdog's last act: it exits just after.
  assert.ok(await eventually(() => gone(plain, stubborn, parent, unlisted, dog)), "every process is gone");
  assert.ok(
    await eventually(async () => !(await isRunning(child.pid, "sleep"))),
    "the component's child went with its group",
  );
  assert.equal(await isRunning(bystander.pid, sh), true, "a pid listed with another start time is spared");
});

test("a runner that dies ends the cluster even while its (hung) owner lives on; a live runner does not", async (t) => {
  const dir = await fakeClusterDir(t);
  const owner = await startProcess(sh, loop(), "/dev/null");
  const runner = await startProcess(sh, loop(), "/dev/null");
  const component = await startProcess(sh, [...loop(), "x", `--data-dir=${dir}/etcd`], "/dev/null");
  for (const p of [owner, runner, component]) t.after(() => stopProcess(p.pid, sh, 100));
  const dog = await startWatchdog(dir, owner.pid, { runnerPid: runner.pid });
  t.after(() => stopProcess(dog.pid, dog.bin, 100));
  // Owner and runner alive: the watchdog, which checks every second, leaves everything alone.
  await sleep(1500);
  assert.equal(existsSync(dir), true);
  assert.equal(await isRunning(component.pid, sh), true);

  await stopProcess(runner.pid, sh);
  assert.ok(await eventually(() => !existsSync(dir)), "the folder is removed");
  assert.ok(await eventually(() => gone(component, dog)));
  assert.equal(await isRunning(owner.pid, sh), true, "the owner itself is not the watchdog's to stop");
});

test("the watchdog ignores SIGTERM, SIGINT and SIGHUP once it is cleaning up", async (t) => {
  const dir = await fakeClusterDir(t);
  const owner = await startProcess(sh, loop(), "/dev/null");
  t.after(() => stopProcess(owner.pid, sh, 100));
  const dog = await startWatchdog(dir, owner.pid);
  t.after(() => stopProcess(dog.pid, dog.bin, 100));
  const stubborn = await startProcess(sh, loop("trap '' TERM;"), "/dev/null");
  t.after(() => stopProcess(stubborn.pid, sh, 100));
  await watchPid(dir, stubborn.pid);
  await stopProcess(owner.pid, sh);
  // The stubborn process holds the watchdog in its grace period: signals now must not stop the cleanup.
  assert.ok(await eventually(async () => (await readFile(dog.logFile, "utf8")).includes("is gone")));
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.kill(dog.pid, sig);
  assert.ok(await eventually(() => !existsSync(dir)));
  assert.ok(await eventually(() => gone(stubborn, dog)));
});

test("deleteClusterDir of a throwaway cluster stops components, listed and folder-naming processes, the watchdog last", async (t) => {
  const dir = await fakeClusterDir(t);
  const owner = await startProcess(sh, loop(), "/dev/null");
  t.after(() => stopProcess(owner.pid, sh, 100));
  const dog = await startWatchdog(dir, owner.pid);
  t.after(() => stopProcess(dog.pid, dog.bin, 100));
  const etcd = await startProcess(sh, [...loop(), "etcd", `--data-dir=${dir}/etcd`], "/dev/null");
  const agent = await startProcess(sh, loop(), "/dev/null");
  const restarted = await startProcess(sh, [...loop(), "api", `--cert-dir=${dir}/apiserver`], "/dev/null");
  for (const p of [etcd, agent, restarted]) t.after(() => stopProcess(p.pid, sh, 100));
  await watchPid(dir, etcd.pid);
  await watchPid(dir, agent.pid);
  const state: ClusterState = {
    name: "fake",
    dir,
    server: "https://127.0.0.1:1",
    kubeconfig: join(dir, "kubeconfig"),
    kubernetesVersion: "v0",
    nodes: 0,
    ports: { etcdClient: 1, etcdPeer: 2, apiServer: 3, controllerManager: 4, scheduler: 5 },
    processes: { etcd: { pid: etcd.pid, bin: sh, logFile: "/dev/null", startTime: etcd.startTime } },
    watchdog: { pid: dog.pid, bin: dog.bin, logFile: dog.logFile },
    createdAt: new Date().toISOString(),
  };
  await writeState(state);
  assert.equal((await readState(dir))?.processes.etcd?.startTime, etcd.startTime);
  assert.deepEqual(
    (await processesMentioning(`${dir}/`)).map((p) => p.pid).sort(),
    [etcd.pid, restarted.pid].sort(),
  );

  const res = await deleteClusterDir(dir);
  assert.deepEqual(res, { stopped: ["etcd"], removed: true });
  assert.ok(await gone(etcd, agent, restarted, dog));
  assert.equal(await isRunning(owner.pid, sh), true);
  assert.equal(existsSync(dir), false);
});

test("a test process killed with SIGKILL leaves no process of its cluster behind", async (t) => {
  // A real cluster, started by a child process that is then killed as a runner kills a hung test file.
  const url = new URL("./testing.ts", import.meta.url).href;
  const code = `const { startTestCluster } = await import(${JSON.stringify(url)});
const c = await startTestCluster({ nodes: 0 });
process.stdout.write(c.dir + "\\n");
setInterval(() => {}, 60000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  assert.ok(await eventually(() => out.includes("\n") || child.exitCode !== null, 180_000));
  const dir = out.trim();
  t.after(() => deleteClusterDir(dir).catch(() => {}));
  const state = await readState(dir);
  assert.ok(state?.readyAt && state.watchdog, `cluster started in ${dir}`);
  const procs = [...Object.values(state.processes), state.watchdog];
  for (const p of procs) assert.equal(await isRunning(p.pid, p.bin, p.startTime), true);

  child.kill("SIGKILL");
  assert.ok(await eventually(() => !existsSync(dir)), "the watchdog removed the folder");
  // Removing the folder is the watchdog's last act: it exits just after.
  const running = async () => {
    const live = [];
    for (const p of procs) if (await isRunning(p.pid, p.bin, p.startTime)) live.push(p.bin);
    return live;
  };
  assert.ok(await eventually(async () => (await running()).length === 0));
  assert.deepEqual(await running(), []);
  assert.deepEqual(await processesMentioning(`${dir}/`), []);
});
