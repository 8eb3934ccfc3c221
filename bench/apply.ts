/**
 * Apply engine benchmark: against a cluster it starts, apply 2,000 mixed objects (ConfigMaps, Deployments,
 * Services, ServiceAccounts, Roles, RoleBindings), re-apply them unchanged, then prune them all; report
 * objects per second, API calls and peak RSS per phase as a markdown table.
 */
import { startTestCluster } from "../src/dev/testing.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeConfig } from "../src/kube/config.ts";
import { inventoryFromChangeSet, inventoryObjects } from "../src/kube/inventory.ts";
import { ResourceManager } from "../src/kube/manager.ts";
import type { KubeObject } from "../src/kube/object.ts";
import { applyObject } from "../src/kube/rest.ts";

const NS = "bench";

function objects(total: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; out.length < total; i++) {
    const name = `app-${i}`;
    const labels = { app: name };
    out.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-a`, namespace: NS },
      data: { index: String(i), mode: "a" },
    });
    out.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-b`, namespace: NS },
      data: { index: String(i), mode: "b" },
    });
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: NS, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "app", image: `registry.example/app:${i}` }] },
        },
      },
    });
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: NS },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    });
    if (i % 2 === 0) {
      out.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS } });
      out.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name, namespace: NS },
        rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [`${name}-a`], verbs: ["get"] }],
      });
      out.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace: NS }],
      });
    }
  }
  return out.slice(0, total);
}

interface Row {
  phase: string;
  objects: number;
  seconds: number;
  calls: number;
  peakRssMiB: number;
  result: string;
}

async function measure(
  phase: string,
  n: number,
  client: KubeClient,
  fn: () => Promise<string>,
): Promise<Row> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const calls = client.requestCount;
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return {
    phase,
    objects: n,
    seconds,
    calls: client.requestCount - calls,
    peakRssMiB: peak / 2 ** 20,
    result,
  };
}

export async function run(opts: { total?: number; concurrency?: number } = {}): Promise<void> {
  const total = opts.total ?? 2000;
  const signal = AbortSignal.timeout(1_800_000);
  const t0 = performance.now();
  const cluster = await startTestCluster({ name: "bench-apply", nodes: 1, signal });
  const startSeconds = (performance.now() - t0) / 1000;
  const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }), { maxSockets: 32 });
  try {
    await applyObject(
      client,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
      { signal, fieldManager: "bench" },
    );
    const m = new ResourceManager({
      client,
      fieldManager: "ferry-bench",
      ownerLabels: {
        "kustomize.toolkit.fluxcd.io/name": "bench",
        "kustomize.toolkit.fluxcd.io/namespace": NS,
      },
      concurrency: opts.concurrency ?? 16,
    });
    const set = objects(total);
    const count = (cs: { action: string }[]) => {
      const c: Record<string, number> = {};
      for (const e of cs) c[e.action] = (c[e.action] ?? 0) + 1;
      return Object.entries(c)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
    };
    let inventory = inventoryFromChangeSet([]);
    const rows: Row[] = [];
    rows.push(
      await measure("apply (create)", total, client, async () => {
        const cs = await m.apply(set, { signal });
        inventory = inventoryFromChangeSet(cs);
        return count(cs);
      }),
    );
    rows.push(
      await measure("re-apply (unchanged)", total, client, async () => count(await m.apply(set, { signal }))),
    );
    rows.push(
      await measure("prune", total, client, async () =>
        count(await m.prune(inventoryObjects(inventory), { signal })),
      ),
    );
    console.log(
      `cluster start: ${startSeconds.toFixed(1)} s; concurrency ${opts.concurrency ?? 16}; Node ${process.version}\n`,
    );
    console.log(
      "| phase | objects | seconds | objects/s | API calls | calls/object | peak RSS (MiB) | result |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows) {
      console.log(
        `| ${r.phase} | ${r.objects} | ${r.seconds.toFixed(2)} | ${(r.objects / r.seconds).toFixed(0)} | ${r.calls} | ${(r.calls / r.objects).toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${r.result} |`,
      );
    }
  } finally {
    client.close();
    await cluster.stop();
  }
}

if (import.meta.main) await run();
