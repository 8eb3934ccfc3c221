/**
 * The operator commands against the real agent (OCIRepository and Kustomization reconcilers) and the real
 * registry: reconcile --with-source picks up a tag move, get/tree show what the agent wrote, suspend stops
 * reconciling and resume waits for the agent's answer.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, installCRDs } from "../../agent/index.ts";
import { apply, ociRepository, pushFiles } from "../../controllers/ocirepository/testing.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import { deleteObject, getObject, KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { findKustomize } from "../../render/index.ts";
import { runCli } from "../testing.ts";

const signal = AbortSignal.timeout(300_000);
let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;

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

const configMap = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: "${value}"\n`;

test("reconcile, get, tree, suspend and resume with the agent reconciling", async () => {
  const ns = await createTestNamespace(cluster, "ops-agent", signal);
  const store = await mkdtemp(join(tmpdir(), "ferry-ops-agent-"));
  const ac = new AbortController();
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir: store,
    kustomize: findKustomize({ kustomize: toolPath("kustomize") }),
  });
  const running = agent.start(AbortSignal.any([ac.signal, signal]));
  const env = { KUBECONFIG: cluster.kubeconfig };
  const n = ["-n", ns.name];
  const ks = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: ns.name },
    spec: {
      interval: "10m",
      sourceRef: { kind: "OCIRepository", name: "app" },
      path: "./deploy",
      prune: true,
      targetNamespace: ns.name,
    },
  };
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: ns.name } };
  const value = async () =>
    ((await getObject(kube, cm, { signal }))?.data as { value?: string } | undefined)?.value;
  try {
    const repo = `${regs.open}/${uniqueRepo("ops-agent")}`;
    await pushFiles(new OciClient(), `${repo}:latest`, { "deploy/settings.yaml": configMap("one") }, signal);
    await apply(kube, ociRepository(ns.name, "app", { url: `oci://${repo}`, interval: "10m" }), signal);
    await apply(kube, ks, signal);

    // The first reconcile of each may still be running: reconcile waits for the agent's answer.
    const first = await runCli(["reconcile", "ks", "app", ...n, "--with-source", "--timeout", "2m"], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /✔ fetched revision latest@sha256:[0-9a-f]{64}\n/);
    assert.match(first.stderr, /✔ applied revision latest@sha256:[0-9a-f]{64}\n$/);
    assert.equal(await value(), "one");

    // A tag move reaches the cluster through reconcile --with-source, without waiting for the interval.
    const digest = await pushFiles(
      new OciClient(),
      `${repo}:latest`,
      { "deploy/settings.yaml": configMap("two") },
      signal,
    );
    const moved = await runCli(["reconcile", "kustomization", "app", ...n, "--with-source"], { env });
    assert.equal(moved.code, 0, moved.stderr);
    assert.ok(moved.stderr.includes(`✔ applied revision latest@${digest}\n`), moved.stderr);
    assert.equal(await value(), "two");

    const get = await runCli(["get", "all", ...n], { env });
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, new RegExp(`kustomization/app\\s*\\tlatest@${digest}\\s*\\tFalse\\s*\\tTrue`));
    assert.match(get.stdout, new RegExp(`ocirepository/app\\s*\\tlatest@${digest}\\s*\\tFalse\\s*\\tTrue`));
    const tree = await runCli(["tree", "ks", "app", ...n], { env });
    assert.equal(tree.stdout, `Kustomization/${ns.name}/app\n└── ConfigMap/${ns.name}/settings\n`);

    // Suspended: a reconcile is refused; resume waits for the agent's reconcile.
    const s = await runCli(["suspend", "ks", "app", ...n], { env });
    assert.equal(s.code, 0, s.stderr);
    const refused = await runCli(["reconcile", "ks", "app", ...n], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is suspended/);
    const r = await runCli(["resume", "ks", "app", ...n], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`✔ applied revision latest@${digest}\n`), r.stderr);
  } finally {
    await deleteObject(kube, ks, { signal }).catch(() => {});
    await deleteObject(kube, ociRepository(ns.name, "app", {}), { signal }).catch(() => {});
    for (let i = 0; i < 100; i++) {
      if (!(await getObject(kube, ociRepository(ns.name, "app", {}), { signal }).catch(() => undefined)))
        break;
      await sleep(100);
    }
    ac.abort();
    await running.catch(() => {});
    await ns.dispose();
    await rm(store, { recursive: true, force: true });
  }
});
