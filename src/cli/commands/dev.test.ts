import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { deleteClusterDir } from "../../dev/index.ts";
import { runCli } from "../testing.ts";

test("ferry dev cluster: usage errors exit 2 and name the fix", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-clusters-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = { FERRY_DEV_CLUSTERS_DIR: dir };
  const cases: Array<[string[], RegExp]> = [
    [["dev", "cluster", "create", "Bad_Name"], /cluster name "Bad_Name" is invalid/],
    [["dev", "cluster", "create", "ok", "--nodes", "many"], /--nodes many is invalid/],
    [["dev", "cluster", "create", "ok", "--timeout", "0"], /--timeout 0 is invalid/],
    [["dev", "cluster", "delete", "missing"], /local cluster "missing" does not exist/],
    [["dev", "cluster", "kubeconfig", "missing"], /ferry dev cluster create missing/],
    [["dev", "cluster", "list", "-o", "yaml"], /--output yaml is invalid/],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli(argv, { env });
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.stderr, message);
  }
  const owner = await runCli(["dev", "cluster", "create", "ok"], {
    env: { ...env, FERRY_DEV_OWNER_PID: "me" },
  });
  assert.equal(owner.code, 2);
  assert.match(owner.stderr, /FERRY_DEV_OWNER_PID=me is invalid/);
  const empty = await runCli(["dev", "cluster", "list"], { env });
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout.trim(), "NAME  SERVER  STATUS  PROCESSES  NODES  MEMORY  PIDS");
});

test("ferry dev cluster: two clusters side by side, listed, reachable, then deleted", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-clusters-"));
  t.after(async () => {
    for (const name of ["cli-a", "cli-b"]) await deleteClusterDir(join(dir, name)).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  // The clusters go with this test process if it dies before t.after runs.
  const env = { FERRY_DEV_CLUSTERS_DIR: dir, FERRY_DEV_OWNER_PID: String(process.pid) };

  const [a, b] = await Promise.all([
    runCli(["dev", "cluster", "create", "cli-a"], { env }),
    runCli(["dev", "cluster", "create", "cli-b", "--nodes", "2"], { env }),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stdout.trim(), join(dir, "cli-a", "kubeconfig"));
  assert.match(b.stderr, /cluster cli-b ready in [\d.]+s: https:\/\/127\.0\.0\.1:\d+, 2 node\(s\)/);

  const again = await runCli(["dev", "cluster", "create", "cli-a"], { env });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);

  const kc = await runCli(["dev", "cluster", "kubeconfig", "cli-b"], { env });
  assert.equal(kc.stdout.trim(), join(dir, "cli-b", "kubeconfig"));
  const config = new KubeConfig();
  config.loadFromFile(kc.stdout.trim());
  assert.equal(config.getCurrentContext(), "cli-b");

  const list = await runCli(["dev", "cluster", "list"], { env });
  const lines = list.stdout.trim().split("\n");
  assert.equal(lines.length, 3);
  assert.match(
    lines[1]!,
    /^cli-a\s+https:\/\/127\.0\.0\.1:\d+\s+running\s+5\/5 alive\s+1\s+\d+Mi\s+(\d+,){4}\d+$/,
  );
  assert.match(
    lines[2]!,
    /^cli-b\s+https:\/\/127\.0\.0\.1:\d+\s+running\s+5\/5 alive\s+2\s+\d+Mi\s+(\d+,){4}\d+$/,
  );

  const json = JSON.parse((await runCli(["dev", "cluster", "list", "-o", "json"], { env })).stdout) as Array<{
    server: string;
    pids: Record<string, number>;
  }>;
  assert.equal(json.length, 2);
  assert.notEqual(json[0]!.server, json[1]!.server);
  assert.equal(Object.keys(json[0]!.pids).length, 5);

  // A component that died shows up in the list; delete stops the rest.
  const kwok = json[0]!.pids.kwok!;
  process.kill(kwok, "SIGKILL");
  let degraded = "";
  for (let i = 0; i < 100 && !degraded.includes("degraded"); i++) {
    await new Promise((r) => setTimeout(r, 50));
    degraded = (await runCli(["dev", "cluster", "list"], { env })).stdout;
  }
  assert.match(degraded, new RegExp(`cli-a .*degraded\\s+4/5 alive.*${kwok}\\(dead\\)`));

  for (const [name, stopped] of [
    ["cli-a", 4],
    ["cli-b", 5],
  ] as const) {
    const del = await runCli(["dev", "cluster", "delete", name], { env });
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.trim(), `deleted cluster ${name} (stopped ${stopped} process(es))`);
    assert.equal(existsSync(join(dir, name)), false);
  }
  for (const pid of Object.values(json[0]!.pids)) {
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  }
  assert.equal((await runCli(["dev", "cluster", "list"], { env })).stdout.trim().split("\n").length, 1);
});
