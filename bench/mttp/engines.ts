/**
 * The two engines the MTTP benchmark compares, each started as processes on 127.0.0.1 against a cluster:
 * Ferry's agent (`ferry agent`, one Node process), and Flux's source-controller + kustomize-controller
 * (built from their Go modules by scripts/tools/50-flux-controllers.sh) with Flux's own CRDs and the
 * benchmark's settings (concurrency 10 and 20, GOMEMLIMIT 1 GiB, temp folder in memory, no leader election).
 * Each process logs to a file in `dir`, is listed with the cluster's owner watchdog, and is stopped by `stop()`.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseAllDocuments } from "yaml";
import { logTail, stopProcess } from "../../src/dev/processes.ts";
import { freePort } from "../../src/dev/registry.ts";
import { findTool, toolPath } from "../../src/dev/tools.ts";
import { watchPid } from "../../src/dev/watchdog.ts";
import { applyObject, getObject, type KubeClient, type KubeObject } from "../../src/kube/index.ts";

const root = join(import.meta.dirname, "..", "..");

export interface EngineProcess {
  name: string;
  pid: number;
  bin: string;
  logFile: string;
}

export interface Engine {
  name: "ferry" | "flux";
  processes: EngineProcess[];
  stop(): Promise<void>;
}

export interface EngineOptions {
  kubeconfig: string;
  /** Cluster folder: logs go to `<dir>/logs`, pids to the owner watchdog's list. */
  clusterDir: string;
  signal: AbortSignal;
}

async function waitReady(p: EngineProcess, url: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${p.name} did not become ready at ${url} within 180 s:\n${await logTail(p.logFile)}`);
    }
    await sleep(250, undefined, { signal });
  }
}

/** Spawns a controller detached (own process group), output appended to `<clusterDir>/logs/<name>.log`. */
async function launch(
  name: string,
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: EngineOptions,
): Promise<EngineProcess> {
  const logDir = join(opts.clusterDir, "logs");
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...env },
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.unref();
    await watchPid(opts.clusterDir, child.pid!);
    return { name, pid: child.pid!, bin, logFile };
  } finally {
    closeSync(fd);
  }
}

/** A folder in memory for temporary files (kustomize builds), as the benchmark's kustomize-controller has. */
async function memTmp(): Promise<string> {
  return await mkdtemp(join("/dev/shm", "ferry-bench-mttp-tmp-"));
}

export async function startFerry(
  opts: EngineOptions & { concurrency: number; cpuProfDir?: string | undefined },
): Promise<Engine> {
  const port = await freePort();
  const tmp = await memTmp();
  const node = process.execPath;
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const args = [
    ...prof,
    join(root, "bin", "ferry.js"),
    "agent",
    "--kubeconfig",
    opts.kubeconfig,
    "--store",
    join(opts.clusterDir, "agent-store"),
    "--metrics-addr",
    `127.0.0.1:${port}`,
    "--concurrency",
    String(opts.concurrency),
  ];
  const env = { FERRY_KUSTOMIZE: toolPath("kustomize"), TMPDIR: tmp };
  const p = await launch("ferry-agent", node, args, env, opts);
  const procs = [p];
  try {
    await waitReady(p, `http://127.0.0.1:${port}/readyz`, opts.signal);
  } catch (err) {
    await stopAll(procs, tmp);
    throw err;
  }
  return { name: "ferry", processes: procs, stop: () => stopAll(procs, tmp) };
}

async function stopAll(procs: EngineProcess[], tmp: string): Promise<void> {
  // SIGTERM first: Node writes its --cpu-prof profile on a clean exit (the CLI ends on SIGTERM).
  for (const p of procs) await stopProcess(p.pid, p.bin, 20_000);
  await rm(tmp, { recursive: true, force: true });
}

/** True when the Flux controllers are built (they build on demand: see ensureFluxControllers). */
export function fluxControllersAvailable(): boolean {
  return ["source-controller", "kustomize-controller", "flux-controllers-crds"].every((t) => findTool(t));
}

/** Builds the Flux controllers if needed (minutes the first time, cached afterwards). */
export function ensureFluxControllers(): boolean {
  if (fluxControllersAvailable()) return true;
  console.error("mttp: building source-controller and kustomize-controller (bench-only tools) …");
  const r = spawnSync("bash", [join(root, "scripts", "tools.sh")], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      FERRY_TOOLS_ONLY: "source-controller kustomize-controller flux-controllers-crds",
    },
  });
  return r.status === 0 && fluxControllersAvailable();
}

/** Applies Flux's CRDs (from the pinned controller modules) and waits until each is Established. */
export async function installFluxCRDs(client: KubeClient, signal: AbortSignal): Promise<void> {
  const text = await readFile(toolPath("flux-controllers-crds"), "utf8");
  const crds = parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && o.kind === "CustomResourceDefinition");
  for (const crd of crds)
    await applyObject(client, crd, { signal, fieldManager: "flux-install", force: true });
  for (const crd of crds) {
    for (;;) {
      const live = (await getObject(client, crd, { signal })) as
        | (KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } })
        | undefined;
      if (live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      await sleep(200, undefined, { signal });
    }
  }
}

export async function startFlux(opts: EngineOptions): Promise<Engine> {
  const tmp = await memTmp();
  const storage = join(opts.clusterDir, "source-controller-storage");
  await mkdir(storage, { recursive: true });
  const env = {
    KUBECONFIG: opts.kubeconfig,
    RUNTIME_NAMESPACE: "flux-system",
    GOMEMLIMIT: "1GiB",
    TMPDIR: tmp,
  };
  const [storagePort, scMetrics, scHealth, kcMetrics, kcHealth] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const procs: EngineProcess[] = [];
  try {
    procs.push(
      await launch(
        "source-controller",
        toolPath("source-controller"),
        [
          `--storage-path=${storage}`,
          `--storage-addr=127.0.0.1:${storagePort}`,
          `--storage-adv-addr=127.0.0.1:${storagePort}`,
          `--metrics-addr=127.0.0.1:${scMetrics}`,
          `--health-addr=127.0.0.1:${scHealth}`,
          "--concurrent=10",
          "--log-level=info",
          "--enable-leader-election=false",
        ],
        env,
        opts,
      ),
    );
    procs.push(
      await launch(
        "kustomize-controller",
        toolPath("kustomize-controller"),
        [
          `--metrics-addr=127.0.0.1:${kcMetrics}`,
          `--health-addr=127.0.0.1:${kcHealth}`,
          "--concurrent=20",
          "--log-level=info",
          "--enable-leader-election=false",
        ],
        env,
        opts,
      ),
    );
    await waitReady(procs[0]!, `http://127.0.0.1:${scHealth}/readyz`, opts.signal);
    await waitReady(procs[1]!, `http://127.0.0.1:${kcHealth}/readyz`, opts.signal);
  } catch (err) {
    await stopAll(procs, tmp);
    throw err;
  }
  return { name: "flux", processes: procs, stop: () => stopAll(procs, tmp) };
}
