/** deleteCluster: stops every process of a local cluster (by recorded pid and binary) and removes its folder. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ClusterNotFoundError } from "./errors.ts";
import { stopProcess } from "./processes.ts";
import { type Component, readState } from "./state.ts";

export interface DeleteResult {
  /** Components that were still running and got stopped. */
  stopped: Component[];
  /** Whether the folder was removed. */
  removed: boolean;
}

/**
 * Stops the processes recorded in `<dir>/cluster.json` and removes `dir` (unless `keepFiles`). Dependents go
 * first (kwok, scheduler, controller manager), then the API server, then etcd.
 */
export async function deleteClusterDir(
  dir: string,
  opts: { keepFiles?: boolean } = {},
): Promise<DeleteResult> {
  const state = await readState(dir);
  if (!state) throw new ClusterNotFoundError(dir.split("/").at(-1) ?? dir, dir);
  const stopped: Component[] = [];
  // The watchdog goes first, so it never acts on pids this call is stopping.
  if (state.watchdog) await stopProcess(state.watchdog.pid, state.watchdog.bin, 1000);
  const stop = async (components: Component[]) => {
    await Promise.all(
      components.map(async (c) => {
        const p = state.processes[c];
        if (p && (await stopProcess(p.pid, p.bin))) stopped.push(c);
      }),
    );
  };
  await stop(["kwok", "kube-scheduler", "kube-controller-manager"]);
  await stop(["kube-apiserver"]);
  await stop(["etcd"]);
  if (!opts.keepFiles) await rm(dir, { recursive: true, force: true });
  return { stopped, removed: !opts.keepFiles };
}

/** Deletes the named cluster under `clustersDir`. */
export async function deleteCluster(name: string, clustersDir: string): Promise<DeleteResult> {
  const dir = join(clustersDir, name);
  if (!(await readState(dir))) throw new ClusterNotFoundError(name, dir);
  return await deleteClusterDir(dir);
}
