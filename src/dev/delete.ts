/** deleteCluster: stops every process of a local cluster (by recorded pid and binary) and removes its folder. */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ClusterNotFoundError } from "./errors.ts";
import { processesMentioning, stopProcess } from "./processes.ts";
import { type Component, readState } from "./state.ts";
import { PROCS_FILE } from "./watchdog.ts";

export interface DeleteResult {
  /** Components that were still running and got stopped. */
  stopped: Component[];
  /** Whether the folder was removed. */
  removed: boolean;
}

/**
 * Stops the processes recorded in `<dir>/cluster.json` and removes `dir` (unless `keepFiles`). Dependents go
 * first (kwok, scheduler, controller manager), then the API server, then etcd. A throwaway cluster (one
 * with an owner watchdog) also loses every other process listed in `<dir>/procs` or naming a file in the
 * folder (an agent, an API server a test restarted); its watchdog is stopped last, so that if this process
 * dies half-way, the watchdog still finishes the job.
 */
export async function deleteClusterDir(
  dir: string,
  opts: { keepFiles?: boolean } = {},
): Promise<DeleteResult> {
  const state = await readState(dir);
  if (!state) throw new ClusterNotFoundError(dir.split("/").at(-1) ?? dir, dir);
  const stopped: Component[] = [];
  const stop = async (components: Component[]) => {
    await Promise.all(
      components.map(async (c) => {
        const p = state.processes[c];
        if (p && (await stopProcess(p.pid, p.bin, 5000, p.startTime))) stopped.push(c);
      }),
    );
  };
  await stop(["kwok", "kube-scheduler", "kube-controller-manager"]);
  await stop(["kube-apiserver"]);
  await stop(["etcd"]);
  if (state.watchdog) {
    const w = state.watchdog;
    const others: Array<{ pid: number; bin: string; startTime?: string }> = [
      ...(await listedPids(dir)),
      ...(await processesMentioning(`${dir}/`)),
    ];
    await Promise.all(
      others.filter((o) => o.pid !== w.pid).map((o) => stopProcess(o.pid, o.bin, 5000, o.startTime)),
    );
    await stopProcess(w.pid, w.bin, 1000, w.startTime);
  }
  if (!opts.keepFiles) await rm(dir, { recursive: true, force: true });
  return { stopped, removed: !opts.keepFiles };
}

/** The `pid startTime bin` lines of `<dir>/procs` (the watchdog's list); empty when there is none. */
async function listedPids(dir: string): Promise<Array<{ pid: number; bin: string; startTime?: string }>> {
  const text = await readFile(join(dir, PROCS_FILE), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [pid = "", st = "-", ...bin] = l.trim().split(" ");
      return { pid: Number(pid), bin: bin.join(" "), ...(st !== "-" ? { startTime: st } : {}) };
    })
    .filter((p) => Number.isInteger(p.pid) && p.pid > 0 && p.bin !== "");
}

/** Deletes the named cluster under `clustersDir`. */
export async function deleteCluster(name: string, clustersDir: string): Promise<DeleteResult> {
  const dir = join(clustersDir, name);
  if (!(await readState(dir))) throw new ClusterNotFoundError(name, dir);
  return await deleteClusterDir(dir);
}
