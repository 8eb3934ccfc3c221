/**
 * A watch that survives an API server restart: a dedicated cluster whose kube-apiserver process is stopped
 * and started again (same flags, same etcd) while an informer runs; events after the restart still arrive.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { apiServerArgs } from "../dev/components.ts";
import { isRunning, startProcess, stopProcess } from "../dev/processes.ts";
import { readState, writeState } from "../dev/state.ts";
import { startTestCluster } from "../dev/testing.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeConfig } from "../kube/config.ts";
import type { KubeObject } from "../kube/object.ts";
import { applyObject } from "../kube/rest.ts";
import { pollUntil } from "./controller.ts";
import { Informer } from "./informer.ts";

test("an informer re-lists after the API server restarts and keeps delivering events", async () => {
  const signal = AbortSignal.timeout(300_000);
  const cluster = await startTestCluster({ nodes: 0, signal });
  const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  const ac = new AbortController();
  let restarted: { pid: number; bin: string } | undefined;
  try {
    const cm = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default" },
      data: { k: "v" },
    });
    const informer = new Informer({
      client,
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "default",
      backoffBaseMs: 100,
      backoffMaxMs: 1000,
    });
    const added: string[] = [];
    informer.addHandler({ onAdd: (o) => added.push(o.metadata.name ?? "") });
    const running = informer.start(ac.signal);
    await informer.waitForSync(signal);
    await applyObject(client, cm("before"), { signal, fieldManager: "t" });
    await pollUntil(() => added.includes("before"), { signal });

    const state = await readState(cluster.dir);
    const api = state?.processes["kube-apiserver"];
    assert.ok(state && api, "cluster state names the API server process");
    await stopProcess(api.pid, api.bin);
    await pollUntil(() => informer.stats.errors > 0, { signal });
    const logFile = join(cluster.dir, "logs", "kube-apiserver.log");
    restarted = await startProcess(api.bin, apiServerArgs(cluster.dir, state.ports), logFile);
    // Record the new pid so the harness stops this process too.
    state.processes["kube-apiserver"] = { pid: restarted.pid, bin: restarted.bin, logFile };
    await writeState(state);
    for (;;) {
      try {
        await applyObject(client, cm("after"), { signal, fieldManager: "t" });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await pollUntil(() => added.includes("after"), { signal });
    assert.ok(informer.stats.lists >= 2, "re-listed after the broken connection");
    assert.ok(informer.get("default/before") && informer.get("default/after"));
    ac.abort();
    await running;
  } finally {
    ac.abort();
    client.close();
    await cluster.stop();
    if (restarted)
      assert.equal(
        await isRunning(restarted.pid, restarted.bin),
        false,
        "the restarted API server was stopped",
      );
  }
});
