/** listClusters / getCluster: the local clusters under a clusters folder and whether their processes live. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ClusterNotFoundError } from "./errors.ts";
import { isRunning, residentBytes } from "./processes.ts";
import { type ClusterState, COMPONENTS, readState } from "./state.ts";

export interface ClusterStatus {
  state: ClusterState;
  /** running: every component alive; degraded: some; stopped: none. */
  status: "running" | "degraded" | "stopped";
  alive: number;
  total: number;
  /** Each recorded component process, in start order. */
  components: Array<{ component: string; pid: number; alive: boolean; rssBytes: number }>;
  /** Sum of the resident memory of the live components, in bytes. */
  rssBytes: number;
}

export async function clusterStatus(state: ClusterState): Promise<ClusterStatus> {
  let alive = 0;
  let rssBytes = 0;
  let total = 0;
  const components: ClusterStatus["components"] = [];
  for (const c of COMPONENTS) {
    const p = state.processes[c];
    if (!p) continue;
    total++;
    const live = await isRunning(p.pid, p.bin, p.startTime);
    const rss = live ? await residentBytes(p.pid) : 0;
    if (live) alive++;
    rssBytes += rss;
    components.push({ component: c, pid: p.pid, alive: live, rssBytes: rss });
  }
  const status = alive === 0 ? "stopped" : alive === COMPONENTS.length ? "running" : "degraded";
  return { state, status, alive, total, rssBytes, components };
}

/** Every cluster folder (with a cluster.json) under `clustersDir`, sorted by name. */
export async function listClusters(clustersDir: string): Promise<ClusterStatus[]> {
  let entries: string[];
  try {
    entries = (await readdir(clustersDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: ClusterStatus[] = [];
  for (const name of entries.sort()) {
    const state = await readState(join(clustersDir, name));
    if (state) out.push(await clusterStatus(state));
  }
  return out;
}

/** The state of the named cluster, or ClusterNotFoundError. */
export async function getCluster(name: string, clustersDir: string): Promise<ClusterState> {
  const dir = join(clustersDir, name);
  const state = await readState(dir);
  if (!state) throw new ClusterNotFoundError(name, dir);
  return state;
}
