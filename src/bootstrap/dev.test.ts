import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../cli/testing.ts";
import { isRunning } from "../dev/processes.ts";
import { agentRunning, readAgentState } from "./agent-process.ts";
import { devDown, devUp } from "./dev.ts";

/** Every pid recorded under the dev folder (registry, agents, cluster components) with its binary. */
async function recordedProcesses(dir: string): Promise<Array<{ pid: number; bin: string }>> {
  const out: Array<{ pid: number; bin: string }> = [];
  const reg = JSON.parse(await readFile(join(dir, "registry", "registry.json"), "utf8")) as {
    pid: number;
    bin: string;
  };
  out.push(reg);
  for (const name of ["staging", "production"]) {
    const state = JSON.parse(await readFile(join(dir, "clusters", name, "cluster.json"), "utf8")) as {
      processes: Record<string, { pid: number; bin: string }>;
    };
    out.push(...Object.values(state.processes));
  }
  return out;
}

test("dev up: registry, two clusters, the example fleet Ready with tenants, idempotent; dev down leaves nothing", async (t) => {
  const signal = AbortSignal.timeout(540_000);
  const dir = join(await mkdtemp(join(tmpdir(), "ferry-devup-")), "dev");
  t.after(async () => {
    await devDown({ dir }).catch(() => {});
    await rm(join(dir, ".."), { recursive: true, force: true });
  });
  const env = { ...process.env, FERRY_DEV_DIR: dir };

  // The first run through the library, with an owner watchdog on the clusters (and their agents) in case
  // this process dies; the CLI runs below find everything running.
  const first = await devUp({ dir, ownerPid: process.pid, timeoutMs: 240_000, signal });
  assert.deepEqual(
    first.clusters.map((c) => [c.cluster, c.ready, c.tenants.join(",")]),
    [
      ["staging", true, "podinfo/podinfo,redis/redis"],
      ["production", true, "podinfo/podinfo,redis/redis"],
    ],
  );

  const up = await runCli(["dev", "up", "--timeout", "240"], { env, signal });
  assert.equal(up.code, 0, up.stderr);
  const lines = up.stdout.trim().split("\n");
  assert.match(lines[0] ?? "", /^CLUSTER\s+\tREVISION\s+\tREADY\tTENANTS/);
  for (const [name, tag] of [
    ["staging", "latest"],
    ["production", "latest-stable"],
  ] as const) {
    const row = lines.find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}\t`));
    assert.ok(row, `row for ${name} in\n${up.stdout}`);
    const cells = row.split("\t").map((c) => c.trim());
    assert.match(cells[1] ?? "", new RegExp(`^${tag}@sha256:[0-9a-f]{64}$`));
    assert.equal(cells[2], "True");
    assert.equal(cells[3], "podinfo/podinfo,redis/redis");
  }
  const agents = await Promise.all(
    ["staging", "production"].map((n) => readAgentState(join(dir, "clusters", n))),
  );
  for (const a of agents) assert.ok(a && (await agentRunning(a)));

  // The second run kept everything running and changed nothing.
  assert.match(up.stderr, /registry .* already running/);
  assert.match(up.stderr, /cluster staging already running/);
  assert.match(up.stderr, /cluster production bootstrapped \(no changes\)/);

  const procs = await recordedProcesses(dir);
  const down = await runCli(["dev", "down"], { env, signal });
  assert.equal(down.code, 0, down.stderr);
  assert.match(
    down.stdout,
    /stopped 2 agent\(s\), deleted cluster\(s\) production, staging, stopped the registry/,
  );
  assert.equal(existsSync(dir), false);
  for (const p of procs) assert.equal(await isRunning(p.pid, p.bin), false, `pid ${p.pid} (${p.bin})`);
  for (const a of agents) assert.equal(await agentRunning(a!), false);

  const twice = await runCli(["dev", "down"], { env, signal });
  assert.equal(twice.code, 0, twice.stderr);
  assert.match(twice.stdout, /nothing was running/);
});
