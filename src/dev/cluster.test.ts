import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../errors/index.ts";
import { apiRequest } from "./api.ts";
import { createCluster, KUBERNETES_VERSION, validateClusterName } from "./cluster.ts";
import { deleteClusterDir } from "./delete.ts";
import { ClusterError, ClusterExistsError } from "./errors.ts";
import { clusterStatus } from "./list.ts";
import { isRunning } from "./processes.ts";
import { COMPONENTS, readState } from "./state.ts";

const fakeTools = {
  etcd: "/bin/false",
  "kube-apiserver": "/bin/false",
  "kube-controller-manager": "/bin/false",
  "kube-scheduler": "/bin/false",
  kwok: "/bin/false",
  "kwok-stages": "/dev/null",
};

test("cluster names must be DNS labels", () => {
  const cases: Array<[string, boolean]> = [
    ["staging", true],
    ["prod-eu", true],
    ["a", true],
    ["1x", true],
    ["", false],
    ["Prod", false],
    ["-x", false],
    ["x-", false],
    ["a_b", false],
    ["a.b", false],
    ["x".repeat(53), false],
  ];
  for (const [name, ok] of cases) {
    if (ok) validateClusterName(name);
    else assert.throws(() => validateClusterName(name), UsageError, name);
  }
});

test("createCluster refuses a folder that already holds a cluster", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "cluster.json"), JSON.stringify({ name: "x", dir, processes: {} }));
  await assert.rejects(createCluster({ name: "x", dir, tools: fakeTools }), ClusterExistsError);
});

test("a component that exits at start fails createCluster, names its log and leaves nothing running", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(createCluster({ name: "broken", dir, tools: fakeTools }), (err: Error) => {
    assert.ok(err instanceof ClusterError);
    assert.match(err.message, /etcd of local cluster "broken" exited/);
    assert.equal(err.logFile, join(dir, "logs", "etcd.log"));
    return true;
  });
  const state = await readState(dir);
  assert.ok(state?.processes.etcd);
  assert.equal(await isRunning(state.processes.etcd.pid, state.processes.etcd.bin), false);
});

test("a cluster starts with Ready nodes, reports its processes, and delete stops all of them and removes the folder", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const state = await createCluster({ name: "lifecycle", dir, nodes: 2 });
  t.after(() => deleteClusterDir(dir).catch(() => {}));

  assert.equal(state.server, `https://127.0.0.1:${state.ports.apiServer}`);
  assert.ok(state.readyAt);
  assert.deepEqual(Object.keys(state.processes).sort(), [...COMPONENTS].sort());
  assert.ok((await readdir(join(dir, "logs"))).includes("kube-apiserver.log"));
  const status = await clusterStatus(state);
  assert.equal(status.status, "running");
  assert.equal(status.alive, COMPONENTS.length);
  assert.ok(status.rssBytes > 0);

  const admin = {
    server: state.server,
    ca: await readFile(join(dir, "pki", "ca.crt"), "utf8"),
    cert: await readFile(join(dir, "pki", "admin.crt"), "utf8"),
    key: await readFile(join(dir, "pki", "admin.key"), "utf8"),
  };
  const nodes = JSON.parse((await apiRequest(admin, "GET", "/api/v1/nodes")).body) as { items: unknown[] };
  assert.equal(nodes.items.length, 2);
  const version = JSON.parse((await apiRequest(admin, "GET", "/version")).body) as { gitVersion: string };
  assert.equal(version.gitVersion, KUBERNETES_VERSION);

  const res = await deleteClusterDir(dir);
  assert.deepEqual(res.stopped.sort(), [...COMPONENTS].sort());
  for (const p of Object.values(state.processes)) assert.equal(await isRunning(p.pid, p.bin), false);
  assert.equal(existsSync(dir), false);
});

test("aborting createCluster stops what was started and keeps the logs", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ac = new AbortController();
  const created = createCluster({ name: "aborted", dir, signal: ac.signal });
  // Abort once etcd is recorded as started.
  for (let i = 0; i < 600 && !(await readState(dir).catch(() => undefined))?.processes.etcd; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  ac.abort(new Error("test abort"));
  await assert.rejects(created, /test abort/);
  const state = await readState(dir);
  assert.ok(state?.processes.etcd);
  for (const p of Object.values(state.processes)) assert.equal(await isRunning(p.pid, p.bin), false);
  assert.ok(existsSync(join(dir, "logs", "etcd.log")));
});

test("a corrupt cluster.json is reported with its path", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "cluster.json"), "{not json");
  await assert.rejects(readState(dir), (err: Error) => err.message.includes(join(dir, "cluster.json")));
});
