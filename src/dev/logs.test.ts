import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { keepLogs, logDigest } from "./logs.ts";

test("keepLogs copies a cluster's logs into a new run folder and keeps only the newest runs", async (t) => {
  const base = await mkdtemp(join(tmpdir(), "ferry-logs-"));
  t.after(() => rm(base, { recursive: true, force: true }));
  const cluster = join(base, "cluster");
  await mkdir(join(cluster, "logs"), { recursive: true });
  await writeFile(join(cluster, "logs", "kwok.log"), "hello\n");
  const root = join(base, "kept");
  await mkdir(root);
  for (const old of ["2000-01-01-a", "2000-01-02-b", "2000-01-03-c"]) await mkdir(join(root, old));

  const dest = await keepLogs(cluster, { root, name: "ferry-test", keep: 2 });
  assert.match(dest, /ferry-test$/);
  assert.equal(await readFile(join(dest, "kwok.log"), "utf8"), "hello\n");
  assert.deepEqual((await readdir(root)).sort(), ["2000-01-03-c", dest.split("/").at(-1)].sort());
});

test("logDigest counts warnings and errors of each component format and NodeNotReady changes", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-logs-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases: Array<[string, string[], RegExp]> = [
    [
      "kube-controller-manager.log",
      [
        'I1125 02:16:30.656640 1 controller_utils.go:186] "Recording status change event message for node" status="NodeNotReady" node="kwok-node-1"',
        'E1125 02:16:31.000000 1 replica_set.go:640] "Unhandled Error" err="sync failed"',
        "I1125 02:16:32.000000 1 fine.go:1] ok",
      ],
      /^kube-controller-manager\.log: 3 lines, 1 warnings\/errors, NodeNotReady 1 time\(s\)\n {2}E1125 .*sync failed/,
    ],
    [
      "kwok.log",
      ["time=x level=INFO msg=ok", "time=x level=WARN msg=slow", "time=x level=ERROR msg=bad"],
      /^kwok\.log: 3 lines, 2 warnings\/errors\n {2}.*WARN msg=slow\n {2}.*ERROR msg=bad/,
    ],
    [
      "etcd.log",
      ['{"level":"info"}', '{"level":"warn","msg":"slow fdatasync"}'],
      /etcd\.log: 2 lines, 1 warnings/,
    ],
  ];
  for (const [file, lines] of cases) await writeFile(join(dir, file), `${lines.join("\n")}\n`);
  const digest = await logDigest(dir);
  for (const [file, , expected] of cases) {
    const part = digest.slice(digest.indexOf(file));
    assert.match(part, expected, file);
  }
});
