/**
 * Mean Time To Production benchmark (fluxcd/flux-benchmark, RESULTS.md): N app packages (100, 500, 1,000),
 * each an OCI artifact with podinfo's Deployment scaled to zero, ServiceAccount, Service and Ingress, and an
 * OCIRepository + Kustomization pair that deploys it, all applied at once; measured until every
 * OCIRepository and every Kustomization is Ready. Ferry's agent and Flux's source-controller +
 * kustomize-controller (built from their Go modules, run as processes) reconcile the same workload, each on
 * a fresh local cluster, one after the other. Reports per size and engine: both durations, peak RSS of each
 * process (the kernel's high-water mark, and a sampled peak including child processes), CPU seconds, and
 * the ferry/flux ratios. Then the time from a tag move to staging Ready for the example fleet (tagmove.ts).
 *
 *   npm run bench -- mttp [--sizes 100,500,1000|none] [--engines ferry,flux] [--quick] [--shared-artifact]
 *                         [--concurrency 10] [--timeout 1800] [--tag-moves 3] [--poll-moves 1]
 *                         [--cpu-prof DIR]
 * `--quick`: 20 apps and one reconcile-triggered move per target (no poll waits), a smoke run of minutes.
 * `--sizes none --tag-moves 0 --poll-moves 0` runs nothing; `--sizes none` only the tag moves.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startRegistry } from "../src/dev/registry.ts";
import { startTestCluster } from "../src/dev/testing.ts";
import { applyObject, KubeClient, loadKubeConfig } from "../src/kube/index.ts";
import {
  type Engine,
  type EngineOptions,
  ensureFluxControllers,
  installFluxCRDs,
  startFerry,
  startFlux,
} from "./mttp/engines.ts";
import { cpuSeconds, peakRssMiB, sampleTrees } from "./mttp/proc.ts";
import { trackReady } from "./mttp/ready.ts";
import { runTagMoves } from "./mttp/tagmove.ts";
import { applyAllObjects, appObjects, NAMESPACE, pushApps, tenantObjects } from "./mttp/workload.ts";

type EngineName = "ferry" | "flux";

interface ProcessResult {
  name: string;
  peakRssMiB: number;
  peakTreeMiB: number;
  cpuSeconds: number;
}

interface RunResult {
  size: number;
  engine: EngineName;
  applySeconds: number;
  ociSeconds: number;
  ksSeconds: number;
  processes: ProcessResult[];
  load: number;
}

interface Options {
  sizes: number[];
  engines: EngineName[];
  shared: boolean;
  concurrency: number;
  timeoutMs: number;
  tagMoves: number;
  pollMoves: number;
  cpuProfDir: string | undefined;
}

function parse(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      engines: { type: "string" },
      quick: { type: "boolean" },
      "shared-artifact": { type: "boolean" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
      "tag-moves": { type: "string" },
      "poll-moves": { type: "string" },
      "cpu-prof": { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const sizeText = values.sizes ?? (quick ? "20" : "100,500,1000");
  const sizes = sizeText === "none" ? [] : sizeText.split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--sizes ${values.sizes} is invalid; use whole numbers such as 100,500,1000`);
  }
  const engines = (values.engines ?? "ferry,flux").split(",") as EngineName[];
  if (engines.some((e) => e !== "ferry" && e !== "flux")) {
    throw new Error(`--engines ${values.engines} is invalid; use ferry, flux or ferry,flux`);
  }
  const num = (flag: string, text: string | undefined, dflt: number, min: number): number => {
    const n = Number(text ?? dflt);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`--${flag} ${text} is invalid; use a whole number of at least ${min}`);
    }
    return n;
  };
  return {
    sizes,
    engines,
    shared: values["shared-artifact"] === true,
    concurrency: num("concurrency", values.concurrency, 10, 1),
    timeoutMs: num("timeout", values.timeout, 1800, 1) * 1000,
    tagMoves: num("tag-moves", values["tag-moves"], quick ? 1 : 3, 0),
    pollMoves: num("poll-moves", values["poll-moves"], quick ? 0 : 1, 0),
    cpuProfDir: values["cpu-prof"],
  };
}

async function runOne(
  size: number,
  engineName: EngineName,
  prefix: string,
  opts: Options,
  signal: AbortSignal,
): Promise<RunResult> {
  const log = (m: string) => console.error(`mttp ${engineName} ${size}: ${m}`);
  const cluster = await startTestCluster({ name: `mttp-${engineName}-${size}`, nodes: 1, signal });
  const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }), {
    maxSockets: 32,
    userAgent: "timoni",
  });
  let engine: Engine | undefined;
  try {
    log(`cluster ${cluster.dir}`);
    for (const o of [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
      ...tenantObjects(),
    ]) {
      await applyObject(client, o, { signal, fieldManager: "timoni" });
    }
    const eo: EngineOptions = { kubeconfig: cluster.kubeconfig, clusterDir: cluster.dir, signal };
    if (engineName === "flux") {
      await installFluxCRDs(client, signal);
      engine = await startFlux(eo);
    } else {
      engine = await startFerry({ ...eo, concurrency: opts.concurrency, cpuProfDir: opts.cpuProfDir });
    }
    log(`started ${engine.processes.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`);
    const pids = engine.processes.map((p) => p.pid);
    const cpu0 = await Promise.all(pids.map(cpuSeconds));
    const sampler = sampleTrees(pids);
    const tracker = trackReady({
      client,
      namespace: NAMESPACE,
      kinds: [
        { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository" },
        { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
      ],
      total: size,
      timeoutMs: opts.timeoutMs,
      signal,
    });
    const objects = Array.from({ length: size }, (_, i) => appObjects(prefix, i, opts.shared)).flat();
    const t0 = performance.now();
    let applySeconds = 0;
    try {
      applySeconds = await applyAllObjects(client, objects, { parallel: 16, signal });
      log(`applied ${objects.length} objects in ${applySeconds.toFixed(1)} s`);
      const progress = setInterval(() => {
        log(tracker.progress.map((p) => `${p.readyAt.size}/${p.total} ${p.kind}`).join(", "));
      }, 15_000);
      try {
        await tracker.done;
      } finally {
        clearInterval(progress);
      }
    } finally {
      tracker.stop();
    }
    const cpu1 = await Promise.all(pids.map(cpuSeconds));
    const trees = await sampler.stop();
    const last = (kind: string) =>
      (Math.max(...(tracker.progress.find((p) => p.kind === kind)?.readyAt.values() ?? [])) - t0) / 1000;
    const processes: ProcessResult[] = [];
    for (const [i, p] of engine.processes.entries()) {
      processes.push({
        name: p.name,
        peakRssMiB: await peakRssMiB(p.pid),
        peakTreeMiB: trees[i]!,
        cpuSeconds: cpu1[i]! - cpu0[i]!,
      });
    }
    const result: RunResult = {
      size,
      engine: engineName,
      applySeconds,
      ociSeconds: last("OCIRepository"),
      ksSeconds: last("Kustomization"),
      processes,
      load: loadavg()[0]!,
    };
    log(`done: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await engine?.stop();
    client.close();
    await cluster.stop();
  }
}

const fmtDur = (s: number) =>
  s >= 60 ? `${Math.floor(s / 60)}m${(s % 60).toFixed(0)}s` : `${s.toFixed(1)}s`;

function printResults(results: RunResult[]): void {
  console.log(
    "| apps | engine | process | OCIRepositories Ready | Kustomizations Ready | peak RSS (MiB) | peak RSS incl. children (MiB) | CPU (s) | load (1 min) |",
  );
  console.log("|---:|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    for (const p of r.processes) {
      console.log(
        `| ${r.size} | ${r.engine} | ${p.name} | ${fmtDur(r.ociSeconds)} | ${fmtDur(r.ksSeconds)} | ${p.peakRssMiB.toFixed(0)} | ${p.peakTreeMiB.toFixed(0)} | ${p.cpuSeconds.toFixed(1)} | ${r.load.toFixed(2)} |`,
      );
    }
  }
  const sizes = [...new Set(results.map((r) => r.size))];
  const pairs = sizes
    .map((n) => [
      results.find((r) => r.size === n && r.engine === "ferry"),
      results.find((r) => r.size === n && r.engine === "flux"),
    ])
    .filter((p): p is [RunResult, RunResult] => !!p[0] && !!p[1]);
  if (pairs.length === 0) return;
  const sum = (r: RunResult, f: (p: ProcessResult) => number) => r.processes.reduce((s, p) => s + f(p), 0);
  console.log(
    "\n| apps | OCIRepositories time ferry/flux | Kustomizations time ferry/flux | peak RSS ferry / (source + kustomize) | CPU ferry/flux |",
  );
  console.log("|---:|---:|---:|---:|---:|");
  for (const [f, x] of pairs) {
    console.log(
      `| ${f.size} | ${(f.ociSeconds / x.ociSeconds).toFixed(2)} | ${(f.ksSeconds / x.ksSeconds).toFixed(2)} | ${(sum(f, (p) => p.peakRssMiB) / sum(x, (p) => p.peakRssMiB)).toFixed(2)} | ${(sum(f, (p) => p.cpuSeconds) / sum(x, (p) => p.cpuSeconds)).toFixed(2)} |`,
    );
  }
}

/** Every size × engine on one registry holding the app packages; a failed run is reported, not fatal. */
async function runSizes(opts: Options, signal: AbortSignal): Promise<void> {
  const results: RunResult[] = [];
  const failures: string[] = [];
  const registry = await startRegistry({ signal });
  try {
    const prefix = `${registry.host}/bench`;
    const count = Math.max(...opts.sizes);
    const pushSeconds = await pushApps({ prefix, count, shared: opts.shared, signal });
    console.error(`mttp: pushed ${opts.shared ? 1 : count} app packages in ${pushSeconds.toFixed(1)} s`);
    for (const size of opts.sizes) {
      for (const engine of opts.engines) {
        try {
          results.push(await runOne(size, engine, prefix, opts, signal));
        } catch (err) {
          if (signal.aborted) throw err;
          const msg = err instanceof Error ? err.message : String(err);
          console.error(`mttp ${engine} ${size}: failed: ${msg}`);
          failures.push(`| ${size} | ${engine} | failed: ${msg.split("\n")[0]} |`);
        }
      }
    }
  } finally {
    await registry.stop();
  }
  printResults(results);
  if (failures.length > 0) {
    console.log(`\n| apps | engine | result |\n|---:|---|---|\n${failures.join("\n")}`);
  }
}

export async function run(argv: string[] = []): Promise<void> {
  const opts = parse(argv);
  const signal = AbortSignal.timeout(6 * 3600_000);
  if (opts.sizes.length > 0 && opts.engines.includes("flux") && !ensureFluxControllers()) {
    console.error("mttp: Flux's controllers could not be built; running Ferry only");
    opts.engines = opts.engines.filter((e) => e !== "flux");
  }
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const artifacts = opts.shared ? "one shared artifact" : "one artifact per app";
  console.log(
    `Node ${process.version}, ${cpus().length} cores, load ${load} at start, ${new Date().toISOString()}; Flux source-controller and kustomize-controller v1.9.5 (flux v2.9.5); sizes ${opts.sizes.join(", ") || "none"}; ${artifacts}; Ferry concurrency ${opts.concurrency}\n`,
  );
  if (opts.sizes.length > 0 && opts.engines.length > 0) await runSizes(opts, signal);
  if (opts.tagMoves + opts.pollMoves > 0) {
    await runTagMoves({ moves: opts.tagMoves, pollMoves: opts.pollMoves, signal });
  }
}

if (import.meta.main) await run(process.argv.slice(2));
