import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { runCli } from "../cli/testing.ts";
import { startRegistry } from "../dev/registry.ts";
import { startTestCluster } from "../dev/testing.ts";
import { getObject, KubeClient, type KubeObject, loadKubeConfig } from "../kube/index.ts";
import { generateKeyPair, loadPrivateKey } from "../sign/index.ts";
import { agentRunning, readAgentState, stopAgent } from "./agent-process.ts";
import { bootstrap } from "./bootstrap.ts";
import { publishExamples } from "./publish-examples.ts";

test("bootstrap: a cluster from the published example fleet, Ready, then idempotent", async (t) => {
  const signal = AbortSignal.timeout(540_000);
  let host = process.env.FERRY_TEST_REGISTRY;
  if (!host) {
    const reg = await startRegistry({ signal });
    t.after(reg.stop);
    host = reg.host;
  }
  const prefix = `${host}/bootstrap-${randomBytes(4).toString("hex")}`;
  const keys = await generateKeyPair("pw", { signal });
  const privateKey = await loadPrivateKey(keys.privateKey, { password: "pw", source: "test", signal });
  const published = await publishExamples({ prefix, privateKey, signal });
  t.after(() => rm(published.dir, { recursive: true, force: true }));
  assert.ok(published.artifacts.some((a) => a.repository.endsWith("/fleet") && a.tags.includes("latest")));

  const cluster = await startTestCluster({ signal });
  // The agent's files go in the cluster folder, so the cluster's watchdog stops it if this process dies.
  const agentDir = cluster.dir;
  t.after(async () => {
    await stopAgent(agentDir);
    await cluster.stop();
  });

  const instance = parse(
    await readFile(join(published.dir, "fleet/clusters/staging/flux-system/flux-instance.yaml"), "utf8"),
  ) as KubeObject;
  const opts = {
    kubeconfig: cluster.kubeconfig,
    instance,
    pullSecret: { kind: "basic" as const, registry: host, username: "ferry", password: "dev" },
    verifyKey: keys.publicKey,
    agent: { mode: "local" as const, dir: agentDir },
    timeoutMs: 240_000,
    signal,
  };
  const first = await bootstrap(opts);
  assert.equal(first.changed, true);
  const actions = Object.fromEntries(first.steps.map((s) => [s.object, s.action]));
  assert.equal(actions["Namespace/flux-system"], "created");
  assert.equal(actions["Secret/flux-system/registry-auth"], "created");
  assert.equal(actions["Secret/flux-system/cosign-pub"], "created");
  assert.equal(actions["FluxInstance/flux-system/flux"], "created");
  assert.equal(actions.agent, "created");
  const agent = await readAgentState(agentDir);
  assert.ok(agent && (await agentRunning(agent)));
  assert.match(await readFile(join(cluster.dir, "pids"), "utf8"), new RegExp(`^${agent.pid}$`, "m"));

  // The fleet's own objects were applied by the sync Kustomization.
  const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  t.after(() => client.close());
  const sec = { signal };
  const tenants = await getObject(
    client,
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "tenants", namespace: "flux-system" },
    },
    sec,
  );
  assert.ok(tenants, "Kustomization flux-system/tenants applied from the fleet artifact");
  const info = await getObject(
    client,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "flux-runtime-info", namespace: "flux-system" },
    },
    sec,
  );
  assert.equal((info?.data as Record<string, string> | undefined)?.REGISTRY, prefix);

  const second = await bootstrap(opts);
  assert.equal(second.changed, false, JSON.stringify(second.steps));
  assert.equal((await readAgentState(agentDir))?.pid, agent.pid);

  // The CLI over the same cluster: nothing to do, and it says so.
  const pub = join(agentDir, "cosign.pub");
  await writeFile(pub, keys.publicKey);
  const cli = await runCli(
    [
      "bootstrap",
      "--kubeconfig",
      cluster.kubeconfig,
      "--instance",
      join(published.dir, "fleet/clusters/staging/flux-system/flux-instance.yaml"),
      "--pull-secret",
      "ferry:dev",
      "--verify-key",
      pub,
      "--agent-dir",
      agentDir,
      "--timeout",
      "60",
    ],
    { signal },
  );
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^FluxInstance\/flux-system\/flux unchanged$/m);
  assert.match(cli.stdout, /^agent unchanged \(pid \d+/m);
  assert.match(cli.stdout, /no changes, everything was in place/);

  assert.equal(await stopAgent(agentDir), true);
  assert.equal(await agentRunning(agent), false);
});
