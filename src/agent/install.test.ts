/** CRD installation against a real API server, and the example objects validated by it (server-side dry-run). */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { fluxCRDs } from "../api/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { applyObject, getObject, KubeClient, type KubeObject, loadKubeConfig } from "../kube/index.ts";
import { installCRDs } from "./install.ts";

let cluster: TestCluster;
let client: KubeClient;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
});

after(async () => {
  client?.close();
  await cluster?.release();
});

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

test("every CRD is accepted and Established; a second install changes nothing", async () => {
  await installCRDs(client, { signal });
  for (const crd of fluxCRDs()) {
    const live = await getObject(client, crd, { signal });
    const conds =
      ((live?.status ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
    assert.ok(
      conds.some((c) => c.type === "Established" && c.status === "True"),
      `${crd.metadata.name} Established`,
    );
    assert.ok(
      await client.mapper.has(`${crd.spec.group}/${crd.spec.versions[0]?.name}`, crd.spec.names.kind, signal),
    );
  }
  const again = await installCRDs(client, { signal });
  assert.deepEqual(
    again.filter((c) => c.changed).map((c) => c.name),
    [],
  );
});

test("the example objects validate against the CRDs (server-side dry-run); a wrong field type is refused", async () => {
  await installCRDs(client, { signal });
  const ns = await createTestNamespace(cluster, "crds", signal);
  try {
    const groups = new Set(fluxCRDs().map((c) => c.spec.group));
    const objects: KubeObject[] = [];
    for (const file of await yamlFiles(join(import.meta.dirname, "../../examples"))) {
      for (const doc of parseAllDocuments(await readFile(file, "utf8"))) {
        const o = doc.toJS() as KubeObject | null;
        if (o?.apiVersion && groups.has(o.apiVersion.split("/")[0] ?? "")) objects.push(o);
      }
    }
    assert.ok(objects.length >= 5, `found ${objects.length} example objects`);
    const kinds = new Set<string>();
    for (const o of objects) {
      const obj = { ...o, metadata: { ...o.metadata, namespace: ns.name } };
      await applyObject(client, obj, { signal, fieldManager: "ferry-test", dryRun: true });
      kinds.add(o.kind);
    }
    assert.ok(kinds.has("FluxInstance") && kinds.has("ResourceSet"));
    await assert.rejects(
      applyObject(
        client,
        {
          apiVersion: "source.toolkit.fluxcd.io/v1",
          kind: "OCIRepository",
          metadata: { name: "bad", namespace: ns.name },
          spec: { url: "oci://example.com/x", interval: "10m", insecure: "yes" },
        },
        { signal, fieldManager: "ferry-test", dryRun: true },
      ),
      /insecure/,
    );
  } finally {
    await ns.dispose();
  }
});
