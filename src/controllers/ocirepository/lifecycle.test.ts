/** OCIRepository lifecycle: suspend, delete, layer selection, restarts on the same store — real cluster and registry. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import { deleteObject, getObject, KubeClient, loadKubeConfig, mergePatchObject } from "../../kube/index.ts";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { ArtifactStore } from "../../store/index.ts";
import { CONTENT_DIR } from "./fetch.ts";
import { OCIRepositoryReconciler } from "./reconciler.ts";
import { apply, ociRepository, pushFiles, readyOf, startAgent, waitForStatus } from "./testing.ts";

let cluster: TestCluster;
let kube: KubeClient;
let regs: SharedRegistries;
let oci: OciClient;
const signal = AbortSignal.timeout(540_000);

before(async () => {
  cluster = await testCluster({ signal });
  regs = await sharedRegistries();
  kube = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  oci = new OciClient();
  await installCRDs(kube, { signal });
});

after(async () => {
  kube?.close();
  await regs?.stop();
  await cluster?.release();
});

const storeKeyOf = (path: string | undefined) => (path ?? "").split("/")[0] ?? "";

test("suspend: a suspended object gets the finalizer and nothing else; resuming reconciles it", async () => {
  const ns = await createTestNamespace(cluster, "ocirepo-suspend", signal);
  const store = new ArtifactStore({ root: await mkdtemp(join(tmpdir(), "ferry-suspend-")) });
  await store.init({ signal });
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-suspend")}`;
    const digest = await pushFiles(oci, `${repo}:latest`, { "a.txt": "a" }, signal);
    await apply(kube, ociRepository(ns.name, "s", { url: `oci://${repo}`, suspend: true }), signal);
    const r = new OCIRepositoryReconciler({ kube, store });
    const key = `${ns.name}/s`;
    assert.equal(await r.reconcile(key, signal), undefined);
    const o = await getObject(kube, ociRepository(ns.name, "s", {}), { signal });
    assert.deepEqual(o?.metadata.finalizers, ["finalizers.fluxcd.io"]);
    assert.equal(o?.status, undefined);
    assert.deepEqual(await store.keys(), []);
    await mergePatchObject(kube, ociRepository(ns.name, "s", {}), { spec: { suspend: false } }, { signal });
    const res = await r.reconcile(key, signal);
    assert.equal(res?.requeueAfterMs, 600_000);
    const s = (await getObject(kube, ociRepository(ns.name, "s", {}), { signal }))?.status as Record<
      string,
      unknown
    >;
    assert.equal((s.artifact as { revision: string }).revision, `latest@${digest}`);
    // A second pass with nothing new pulls nothing and writes the same status.
    assert.equal((await r.reconcile(key, signal))?.requeueAfterMs, 600_000);
    await deleteObject(kube, ociRepository(ns.name, "s", {}), { signal });
    await r.reconcile(key, signal);
    assert.equal(await getObject(kube, ociRepository(ns.name, "s", {}), { signal }), undefined);
    assert.deepEqual(await store.keys(), []);
  } finally {
    await ns.dispose();
    await rm(store.root, { recursive: true, force: true });
  }
});

test("layerSelector: copy keeps the layer as is (digest = layer digest); an absent media type fails the layer operation", async () => {
  const h = await startAgent(cluster, "ocirepo-layer", signal);
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-layer")}`;
    const digest = await pushFiles(oci, `${repo}:v1`, { "a.txt": "a" }, signal);
    const manifest = await oci.getManifest(`${repo}@${digest}`, { signal });
    const layer = (
      manifest.manifest as { layers: Array<{ digest: string; mediaType: string; size: number }> }
    ).layers[0];
    assert.ok(layer);
    await apply(
      kube,
      ociRepository(h.namespace, "copy", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        layerSelector: { mediaType: layer.mediaType, operation: "copy" },
      }),
      signal,
    );
    await apply(
      kube,
      ociRepository(h.namespace, "absent", {
        url: `oci://${repo}`,
        ref: { tag: "v1" },
        layerSelector: { mediaType: "application/vnd.example.none" },
      }),
      signal,
    );
    const s = await waitForStatus(kube, h.namespace, "copy", (x) => readyOf(x).status === "True", signal);
    assert.equal(s.artifact?.digest, layer.digest);
    assert.equal(s.artifact?.size, layer.size);
    assert.deepEqual(s.observedLayerSelector, { mediaType: layer.mediaType, operation: "copy" });
    assert.equal(
      await readFile(join(h.agent.store.dir(storeKeyOf(s.artifact?.path)), CONTENT_DIR, "a.txt"), "utf8"),
      "a",
    );
    const f = await waitForStatus(kube, h.namespace, "absent", (x) => readyOf(x).status === "False", signal);
    assert.equal(readyOf(f).reason, "OCIArtifactLayerOperationFailed");
    assert.match(
      readyOf(f).message ?? "",
      /failed to find layer with media type 'application\/vnd.example.none'/,
    );
  } finally {
    await h.stop();
  }
});

test("restart: a new process on the same store keeps the stored artifact and does not pull it again", async () => {
  const ns = await createTestNamespace(cluster, "ocirepo-restart", signal);
  const root = await mkdtemp(join(tmpdir(), "ferry-restart-"));
  try {
    const repo = `${regs.open}/${uniqueRepo("agent-restart")}`;
    await pushFiles(oci, `${repo}:latest`, { "a.txt": "a" }, signal);
    await apply(kube, ociRepository(ns.name, "r", { url: `oci://${repo}` }), signal);
    const key = `${ns.name}/r`;
    const first = new ArtifactStore({ root });
    await first.init({ signal });
    await new OCIRepositoryReconciler({ kube, store: first }).reconcile(key, signal);
    const s1 = (await getObject(kube, ociRepository(ns.name, "r", {}), { signal }))?.status as {
      artifact: { path: string; lastUpdateTime: string };
    };
    const stored = await first.get(storeKeyOf(s1.artifact.path));
    assert.ok(stored);

    const second = new ArtifactStore({ root });
    await second.init({ signal });
    const r2 = new OCIRepositoryReconciler({ kube, store: second });
    await r2.reconcile(key, signal);
    assert.equal(second.referenced(OCIRepositoryReconciler.owner(key)), stored.key);
    assert.equal((await second.get(stored.key))?.storedAt, stored.storedAt);
    const s2 = (await getObject(kube, ociRepository(ns.name, "r", {}), { signal }))?.status as typeof s1;
    assert.deepEqual(s2.artifact, s1.artifact);
    assert.deepEqual(await second.gc({ signal }), []);

    // A store that lost the entry fetches it again.
    await rm(stored.dir, { recursive: true, force: true });
    await new OCIRepositoryReconciler({ kube, store: second }).reconcile(key, signal);
    assert.ok(await second.get(stored.key));
    await deleteObject(kube, ociRepository(ns.name, "r", {}), { signal });
    await r2.reconcile(key, signal);
  } finally {
    await ns.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
