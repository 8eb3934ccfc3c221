/**
 * Render benchmark: expands a ResourceSet with 1,000 inputs x 8 resources (8,000 objects) in-process and
 * through the CLI, and runs `ferry validate` over the example fleet. Reports the median wall time of 3 runs
 * and the peak RSS (the process's own, or /usr/bin/time's for the CLI runs) as a markdown table. Target: 1,000 x 8 under 1 s.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../src/render/index.ts";
import { stringifyObjects } from "../src/render/index.ts";
import { expandResourceSet, templateRenderer } from "../src/render/resourceset/index.ts";

const RUNS = 3;
const root = join(import.meta.dirname, "..");
const node = join(root, "node_modules", ".bin", "node");
const ferry = join(root, "bin", "ferry.js");

/** A ResourceSet shaped like a tenant onboarding one: 8 resources per input, quoted and int values, a toYaml block. */
export function bigResourceSet(inputs: number): KubeObject {
  const t = "<< inputs.tenant >>";
  return {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSet",
    metadata: { name: "bench", namespace: "flux-system" },
    spec: {
      inputs: Array.from({ length: inputs }, (_, i) => ({
        tenant: `tenant-${i}`,
        tag: `v1.${i}.0`,
        replicas: String((i % 5) + 1),
        labels: { team: `team-${i % 17}`, tier: i % 2 ? "gold" : "silver" },
      })),
      resources: [
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: t, labels: { "toolkit.fluxcd.io/role": "tenant" } },
        },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "flux", namespace: t } },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "flux", namespace: t },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
          subjects: [{ kind: "ServiceAccount", name: "flux", namespace: t }],
        },
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "flux-runtime-info",
            namespace: t,
            annotations: { "fluxcd.controlplane.io/copyFrom": "flux-system/flux-runtime-info" },
          },
        },
        {
          apiVersion: "source.toolkit.fluxcd.io/v1",
          kind: "OCIRepository",
          metadata: { name: "app", namespace: t },
          spec: {
            interval: "5m",
            url: `oci://registry.example.com/apps/${t}`,
            ref: { tag: "<< inputs.tag | quote >>" },
          },
        },
        {
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          metadata: { name: "app", namespace: t },
          spec: {
            interval: "30m",
            prune: true,
            targetNamespace: t,
            sourceRef: { kind: "OCIRepository", name: "app" },
            path: "./production",
            commonMetadata: { labels: "<< inputs.labels | toYaml | nindent 10 >>" },
          },
        },
        {
          apiVersion: "v1",
          kind: "ResourceQuota",
          metadata: { name: "quota", namespace: t },
          spec: { hard: { pods: "<< mul (inputs.replicas | int) 10 >>" } },
        },
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "deny-ingress", namespace: t },
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        },
      ],
    },
  };
}

interface Measure {
  ms: number;
  rssMiB: number | undefined;
}

function cli(args: string[], cwd: string): Promise<Measure> {
  const timed = existsSync("/usr/bin/time");
  const argv = timed ? ["-f", "%M", node, ferry, ...args] : [ferry, ...args];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(timed ? "/usr/bin/time" : node, argv, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("close", (code) => {
      const ms = performance.now() - start;
      if (code !== 0) return reject(new Error(`ferry ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
      const kib = timed ? Number.parseInt(err.trim().split("\n").at(-1) ?? "", 10) : Number.NaN;
      resolve({ ms, rssMiB: Number.isFinite(kib) ? kib / 1024 : undefined });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-render-"));
  try {
    const rset = bigResourceSet(1000);
    const render = templateRenderer();
    const inProcess: number[] = [];
    let count = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      count = expandResourceSet(structuredClone(rset), { render }).objects.length;
      inProcess.push(performance.now() - start);
    }
    const file = join(dir, "rset.yaml");
    await writeFile(file, stringifyObjects([rset]));
    const rows: string[] = [];
    // Nothing heavier ran in this process before: its high-water mark is the expansion's.
    const ownRss = process.resourceUsage().maxRSS / 1024;
    rows.push(
      `| ResourceSet 1,000 inputs x 8 resources, in-process | ${count} | ${median(inProcess).toFixed(0)} | ${ownRss.toFixed(0)} |`,
    );
    const measures: Measure[] = [];
    for (let i = 0; i < RUNS; i++) measures.push(await cli(["build", "resourceset", "-f", file], dir));
    const rss = Math.max(...measures.map((m) => m.rssMiB ?? 0));
    rows.push(
      `| \`ferry build resourceset\` (same set, whole CLI) | ${count} | ${median(measures.map((m) => m.ms)).toFixed(0)} | ${rss ? rss.toFixed(0) : "–"} |`,
    );
    const validate: Measure[] = [];
    for (let i = 0; i < RUNS; i++) validate.push(await cli(["validate", join(root, "examples")], root));
    const vrss = Math.max(...validate.map((m) => m.rssMiB ?? 0));
    rows.push(
      `| \`ferry validate examples\` (whole CLI, kustomize subprocesses) | – | ${median(validate.map((m) => m.ms)).toFixed(0)} | ${vrss ? vrss.toFixed(0) : "–"} |`,
    );
    console.log(`Median of ${RUNS} runs on this machine (${process.version}).\n`);
    console.log("| case | objects | wall ms | peak RSS MiB |\n|---|---:|---:|---:|");
    for (const r of rows) console.log(r);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
