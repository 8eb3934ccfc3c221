/**
 * `cluster.json`: what a running local cluster is made of (ports, pids, binaries, files), written by
 * `createCluster` as each component starts so that `deleteCluster` and `listClusters` work from another
 * process, and a half-started cluster can still be cleaned up.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { FerryError } from "../errors/index.ts";

export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ComponentState {
  pid: number;
  /** Absolute path of the executable: a pid counts as this component only while it still runs this binary. */
  bin: string;
  /** Start time (clock ticks since boot, /proc/<pid>/stat): tells a reused pid apart even with the same binary. */
  startTime?: string;
  logFile: string;
}

export interface ClusterState {
  name: string;
  /** The cluster folder (holds cluster.json, certificates, kubeconfigs, etcd data and logs). */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (context named after the cluster). */
  kubeconfig: string;
  kubernetesVersion: string;
  nodes: number;
  ports: Record<"etcdClient" | "etcdPeer" | "apiServer" | "controllerManager" | "scheduler", number>;
  processes: Partial<Record<Component, ComponentState>>;
  /** Owner watchdog (throwaway clusters only): removes the cluster when its owner process dies. */
  watchdog?: ComponentState;
  createdAt: string;
  /** Set once every readiness check passed. */
  readyAt?: string;
}

export const STATE_FILE = "cluster.json";

/** Default folder holding one sub-folder per named cluster: ~/.cache/ferry/clusters. */
export function defaultClustersDir(): string {
  return join(homedir(), ".cache", "ferry", "clusters");
}

export async function writeState(state: ClusterState): Promise<void> {
  const file = join(state.dir, STATE_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The state in `dir`, or undefined when there is no cluster.json. */
export async function readState(dir: string): Promise<ClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as ClusterState;
  } catch (err) {
    throw new FerryError(
      `${join(dir, STATE_FILE)} is not valid JSON; stop the cluster's processes by hand and remove ${dir}`,
      { cause: err },
    );
  }
}
