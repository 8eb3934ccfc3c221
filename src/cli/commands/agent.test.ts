/** `ferry agent` in-process against the real cluster and registry: reconciles, logs JSON lines, serves metrics. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import {
  apply,
  ociRepository,
  pushFiles,
  readyOf,
  waitForStatus,
} from "../../controllers/ocirepository/testing.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { runCli } from "../testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test("ferry agent reconciles until interrupted, logs JSON lines to stderr, serves /metrics and holds the lease", async () => {
  const ns = await createTestNamespace(cluster, "cli-agent", signal);
  const store = await mkdtemp(join(tmpdir(), "ferry-cli-agent-"));
  const ac = new AbortController();
  try {
    const repo = `${regs.open}/${uniqueRepo("cli-agent")}`;
    const digest = await pushFiles(new OciClient(), `${repo}:latest`, { "a.txt": "a" }, signal);
    await apply(kube, ociRepository(ns.name, "app", { url: `oci://${repo}` }), signal);
    const port = await freePort();
    const run = runCli(
      [
        "agent",
        "--kubeconfig",
        cluster.kubeconfig,
        "--store",
        store,
        "-n",
        ns.name,
        "--metrics-addr",
        `127.0.0.1:${port}`,
        "--leader-elect",
        "--log-level",
        "debug",
      ],
      { signal: ac.signal, env: {} },
    );
    const s = await waitForStatus(kube, ns.name, "app", (x) => readyOf(x).status === "True", signal);
    assert.equal(s.artifact?.revision, `latest@${digest}`);
    // The counter moves when the reconcile returns, just after the status write.
    const counted = /ferry_reconcile_total\{kind="OCIRepository",result="(success|requeue)"\} \d+/;
    while (!counted.test(await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal })).text())) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const lease = await getObject(
      kube,
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "ferry-agent", namespace: ns.name },
      },
      { signal },
    );
    assert.ok(lease, "Lease ferry-agent");
    await deleteObject(kube, ociRepository(ns.name, "app", {}), { signal });
    while (await getObject(kube, ociRepository(ns.name, "app", {}), { signal })) {
      await new Promise((r) => setTimeout(r, 100));
    }
    ac.abort();
    const res = await run;
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: string; msg: string; object?: string });
    assert.ok(lines.some((l) => l.msg === "agent started"));
    assert.ok(
      lines.some((l) => l.msg.startsWith("stored artifact with revision") && l.object === `${ns.name}/app`),
    );
    assert.ok(lines.some((l) => l.msg === "agent stopped"));
  } finally {
    ac.abort();
    await ns.dispose();
    await rm(store, { recursive: true, force: true });
  }
});

test("ferry agent refuses bad flags with exit code 2 before connecting", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--log-level", "loud"], /--log-level loud is invalid/],
    [["--concurrency", "0"], /--concurrency 0 is invalid/],
    [["--metrics-addr", "127.0.0.1:99999"], /metrics address 127\.0\.0\.1:99999 is invalid/],
  ];
  for (const [flags, message] of cases) {
    const res = await runCli(["agent", "--kubeconfig", cluster.kubeconfig, "--store", tmpdir(), ...flags], {
      signal,
    });
    assert.equal(res.code, 2, flags.join(" "));
    assert.match(res.stderr, message);
  }
});

test("ferry agent --help lists the multi-tenancy flags", async () => {
  const res = await runCli(["agent", "--help"], { signal });
  assert.equal(res.code, 0, res.stderr);
  for (const flag of [
    "--no-cross-namespace-refs",
    "--default-service-account <name>",
    "--no-remote-bases",
    "--operator-default-service-account <name>",
  ]) {
    assert.ok(res.stdout.includes(flag), `${flag} in\n${res.stdout}`);
  }
});
