/**
 * Owner watchdog for throwaway clusters (tests): a small shell process that, once the owning process is
 * gone without having deleted the cluster (a crashed or killed test runner), stops the pids listed in
 * `<dir>/pids` and removes the folder. `deleteClusterDir` stops the watchdog first.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { type StartedProcess, startProcess } from "./processes.ts";

const SCRIPT = `owner=$1 dir=$2
while kill -0 "$owner" 2>/dev/null; do sleep 2; done
pids=$(cat "$dir/pids" 2>/dev/null)
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
sleep 5
for p in $pids; do kill -KILL "$p" 2>/dev/null; done
rm -rf "$dir"
`;

export const SHELL = "/bin/sh";

export async function startWatchdog(dir: string, ownerPid: number): Promise<StartedProcess> {
  return await startProcess(
    SHELL,
    ["-c", SCRIPT, "ferry-cluster-watchdog", String(ownerPid), dir],
    join(dir, "logs", "watchdog.log"),
  );
}

/** Adds a started component's pid to the list the watchdog stops. */
export async function watchPid(dir: string, pid: number): Promise<void> {
  await appendFile(join(dir, "pids"), `${pid}\n`);
}
