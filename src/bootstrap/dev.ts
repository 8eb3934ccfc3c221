/**
 * `ferry dev up` / `down`: a whole local fleet. Up: the registry (kept running), clusters `staging` and
 * `production` (running ones are kept), a cosign key pair, the example fleet and components published and
 * signed as D2's CI does, each cluster bootstrapped with a local agent, a wait until every Kustomization
 * and ResourceSet is Ready, and one summary row per cluster. Down: agents, clusters, registry, state folder.
 * State lives in one folder (`~/.cache/ferry/dev` by default; the CLI passes it in).
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";
import { clusterStatus, createCluster, deleteClusterDir, readState } from "../dev/index.ts";
import { KubeClient, type KubeObject, loadKubeConfig } from "../kube/index.ts";
import { KUSTOMIZATION, listSummaries, RESOURCE_SET } from "../ops/index.ts";
import { generateKeyPair, loadPrivateKey } from "../sign/index.ts";
import { stopAgent } from "./agent-process.ts";
import { bootstrap } from "./bootstrap.ts";
import { ensureDevRegistry, stopDevRegistry } from "./dev-registry.ts";
import { DevFleetError } from "./errors.ts";
import { publishExamples } from "./publish-examples.ts";

export const DEV_CLUSTERS = ["staging", "production"] as const;
/** The dev key pair's password (it protects nothing secret: the fleet is local and throwaway). */
export const DEV_KEY_PASSWORD = "ferry-dev";

export function defaultDevDir(): string {
  return join(homedir(), ".cache", "ferry", "dev");
}

export interface DevUpOptions {
  /** State folder: registry/, clusters/<name>/, cosign.key, cosign.pub. */
  dir: string;
  clusters?: readonly string[];
  examplesDir?: string;
  /** Tool index folder (default ~/.cache/ferry). */
  cacheDir?: string;
  /** Tests: clusters get an owner watchdog that stops them (and their agents) once this pid is gone. */
  ownerPid?: number;
  /** Per-cluster readiness deadline (default 5 min). */
  timeoutMs?: number;
  /** One line per step, for the CLI to print. */
  progress?: (line: string) => void;
  signal: AbortSignal;
}

export interface ClusterSummary {
  cluster: string;
  kubeconfig: string;
  /** Revision the cluster's sync Kustomization applied. */
  revision: string;
  /** True when every Kustomization and ResourceSet is Ready. */
  ready: boolean;
  /** The tenants' Kustomizations (`namespace/name`) outside the instance's namespace. */
  tenants: string[];
}

export interface DevUpResult {
  registry: string;
  clusters: ClusterSummary[];
}

async function ensureKeys(
  dir: string,
  signal: AbortSignal,
): Promise<{ privatePem: string; publicPem: string }> {
  const keyFile = join(dir, "cosign.key");
  const pubFile = join(dir, "cosign.pub");
  if (!existsSync(keyFile) || !existsSync(pubFile)) {
    const pair = await generateKeyPair(DEV_KEY_PASSWORD, { signal });
    await writeFile(keyFile, pair.privateKey, { mode: 0o600 });
    await writeFile(pubFile, pair.publicKey);
  }
  return { privatePem: await readFile(keyFile, "utf8"), publicPem: await readFile(pubFile, "utf8") };
}

async function ensureCluster(
  name: string,
  dir: string,
  opts: DevUpOptions,
): Promise<{ kubeconfig: string; started: boolean }> {
  const state = await readState(dir);
  if (state) {
    if ((await clusterStatus(state)).status === "running")
      return { kubeconfig: state.kubeconfig, started: false };
    await stopAgent(dir);
    await deleteClusterDir(dir);
  }
  const created = await createCluster({
    name,
    dir,
    nodes: 1,
    signal: opts.signal,
    ...(opts.ownerPid ? { ownerPid: opts.ownerPid } : {}),
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
  });
  return { kubeconfig: created.kubeconfig, started: true };
}

export async function devUp(opts: DevUpOptions): Promise<DevUpResult> {
  const { signal } = opts;
  const say = opts.progress ?? (() => {});
  const names = opts.clusters ?? DEV_CLUSTERS;
  await mkdir(join(opts.dir, "clusters"), { recursive: true });
  const reg = await ensureDevRegistry({
    dir: join(opts.dir, "registry"),
    signal,
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
  });
  say(`registry ${reg.host} ${reg.started ? "started" : "already running"}`);
  const kubeconfigs = new Map<string, string>();
  for (const name of names) {
    const c = await ensureCluster(name, join(opts.dir, "clusters", name), opts);
    kubeconfigs.set(name, c.kubeconfig);
    say(`cluster ${name} ${c.started ? "created" : "already running"}`);
  }
  const keys = await ensureKeys(opts.dir, signal);
  const privateKey = await loadPrivateKey(keys.privatePem, {
    password: DEV_KEY_PASSWORD,
    source: join(opts.dir, "cosign.key"),
    signal,
  });
  const published = await publishExamples({
    prefix: `${reg.host}/ferry`,
    privateKey,
    signal,
    ...(opts.examplesDir ? { examplesDir: opts.examplesDir } : {}),
  });
  try {
    for (const a of published.artifacts) say(`published ${a.repository}:${a.tags.join(",")} (signed)`);
    for (const name of names) {
      const file = join(published.dir, "fleet", "clusters", name, "flux-system", "flux-instance.yaml");
      if (!existsSync(file)) {
        throw new DevFleetError(
          "bootstrap",
          `the example fleet has no clusters/${name}/flux-system/flux-instance.yaml; use a cluster name the fleet defines`,
        );
      }
      const res = await bootstrap({
        kubeconfig: kubeconfigs.get(name)!,
        instance: parse(await readFile(file, "utf8")) as KubeObject,
        pullSecret: { kind: "basic", registry: reg.host, username: "ferry", password: "dev" },
        verifyKey: keys.publicPem,
        agent: { mode: "local", dir: join(opts.dir, "clusters", name) },
        timeoutMs: opts.timeoutMs ?? 300_000,
        signal,
      });
      say(`cluster ${name} bootstrapped${res.changed ? "" : " (no changes)"}`);
    }
  } finally {
    await rm(published.dir, { recursive: true, force: true });
  }
  const clusters: ClusterSummary[] = [];
  for (const name of names) {
    clusters.push(await waitFleetReady(name, kubeconfigs.get(name)!, opts.timeoutMs ?? 300_000, signal));
  }
  return { registry: reg.host, clusters };
}

/** Polls until every Kustomization and ResourceSet of the cluster is Ready (and at least one tenant exists). */
export async function waitFleetReady(
  cluster: string,
  kubeconfig: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ClusterSummary> {
  const client = new KubeClient(loadKubeConfig({ path: kubeconfig }), { userAgent: "ferry-dev" });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const ks = await listSummaries(client, KUSTOMIZATION, { signal });
      const rs = await listSummaries(client, RESOURCE_SET, { signal });
      const sync = ks.find((k) => k.namespace === "flux-system" && k.name === "flux-system");
      const tenants = ks.filter((k) => k.namespace !== "flux-system").map((k) => `${k.namespace}/${k.name}`);
      const notReady = [...ks, ...rs].filter((o) => o.ready !== "True");
      const summary: ClusterSummary = {
        cluster,
        kubeconfig,
        revision: sync?.revision ?? "",
        ready: notReady.length === 0 && tenants.length > 0,
        tenants: tenants.sort(),
      };
      if (summary.ready) return summary;
      if (Date.now() > deadline) {
        const what = notReady.map((o) => `${o.kind} ${o.namespace}/${o.name}: ${o.message}`).join("; ");
        throw new DevFleetError(
          "wait",
          `cluster ${cluster} is not Ready after ${Math.round(timeoutMs / 1000)}s (${what || "no tenants yet"}); see the agent log in its cluster folder`,
        );
      }
      await sleep(1000, undefined, { signal });
    }
  } finally {
    client.close();
  }
}

export interface DevDownResult {
  agents: number;
  clusters: string[];
  registry: boolean;
}

/** Stops every agent and cluster under `dir`, the registry, and removes the folder. Nothing there: no-op. */
export async function devDown(opts: { dir: string }): Promise<DevDownResult> {
  const out: DevDownResult = { agents: 0, clusters: [], registry: false };
  const clustersDir = join(opts.dir, "clusters");
  let names: string[] = [];
  try {
    names = (await readdir(clustersDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    // no clusters folder
  }
  for (const name of names.sort()) {
    const dir = join(clustersDir, name);
    if (await stopAgent(dir)) out.agents++;
    if (await readState(dir)) {
      await deleteClusterDir(dir);
      out.clusters.push(name);
    }
  }
  out.registry = await stopDevRegistry(join(opts.dir, "registry"));
  await rm(opts.dir, { recursive: true, force: true });
  return out;
}
