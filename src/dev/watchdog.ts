/**
 * Owner watchdog for throwaway clusters (tests): a small shell process that, once the owning process is
 * gone without having deleted the cluster (a crashed, killed or timed-out test runner), stops every process
 * of the cluster and removes its folder.
 *
 * "Every process" is the processes listed in `<dir>/procs` (`pid startTime bin` per line; `<dir>/pids` has
 * the bare pids, one per line) that are still the same processes (same start time, so a reused pid is never
 * signalled), plus any process whose command line names a file inside the folder
 * (every component, an agent, an API server a test restarted). Each is signalled with its process group;
 * SIGTERM, then SIGKILL to what is left after 10 s; etcd only once the rest is gone (an API server that
 * loses etcd first does not exit on SIGTERM); then the folder goes. The owner is identified by pid and
 * start time too, so a reused owner pid does not keep the cluster alive; so is an optional runner (the test
 * runner of a test process), whose death ends the cluster as well. Once cleaning up, the watchdog
 * ignores SIGTERM, SIGINT and SIGHUP: a signal to it cannot leave half the cluster running.
 * `deleteClusterDir` stops the watchdog last, after the components are gone.
 */
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { procStat, type StartedProcess, startProcess } from "./processes.ts";

const SCRIPT = `owner=$1 owner_start=$2 dir=$3 runner=$4 runner_start=$5
trap '' HUP INT
# started PID: sets $start to the start time of PID and $pgrp to its group; fails if gone or a zombie.
started() {
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
  set -- \${s##*) }
  case $1 in Z|X) return 1 ;; esac
  pgrp=$3 start=\${20}
}
# alive PID START: whether PID still runs and (when START is known) is the process that started then.
alive() {
  if [ -n "$2" ]; then started "$1" && [ "$start" = "$2" ]; else kill -0 "$1" 2>/dev/null; fi
}
while alive "$owner" "$owner_start" && { [ -z "$runner" ] || alive "$runner" "$runner_start"; }; do sleep 1; done
trap '' TERM
# Entries pid:start:pgrp. etcd goes last: an API server that loses etcd first does not exit on SIGTERM.
early= late=
add() {
  case " $early $late " in *" $1:"*) return ;; esac
  if [ "$4" = late ]; then late="$late $1:$2:$3"; else early="$early $1:$2:$3"; fi
}
for f in /proc/[0-9]*/cmdline; do
  p=\${f#/proc/}; p=\${p%/cmdline}
  [ "$p" = $$ ] && continue
  case $(tr '\\000' ' ' < "$f" 2>/dev/null) in
    *"--data-dir=$dir/etcd"*) started "$p" && add "$p" "$start" "$pgrp" late ;;
    *"$dir/"*) started "$p" && add "$p" "$start" "$pgrp" ;;
  esac
done
if [ -r "$dir/procs" ]; then
  while read -r p st bin; do
    started "$p" 2>/dev/null || continue
    if [ "$st" = - ]; then
      first=$(tr '\\000' '\\n' < "/proc/$p/cmdline" 2>/dev/null | head -n 1)
      [ "$first" = "$bin" ] || continue
    elif [ "$start" != "$st" ]; then continue; fi
    add "$p" "$start" "$pgrp"
  done < "$dir/procs"
fi
echo "owner $owner or runner $runner is gone: stopping$early, then$late"
# signal_each SIG ENTRY...: sends SIG (none when empty) to each entry still alive; fails when none is.
signal_each() {
  sig=$1 left=
  shift
  for t in "$@"; do
    p=\${t%%:*} rest=\${t#*:}; st=\${rest%%:*} g=\${rest#*:}
    started "$p" && [ "$start" = "$st" ] || continue
    left=1
    [ -n "$sig" ] || continue
    if [ "$g" = "$p" ]; then kill -s "$sig" -- "-$p" 2>/dev/null; else kill -s "$sig" "$p" 2>/dev/null; fi
  done
  [ -n "$left" ]
}
# stop_all ENTRY...: SIGTERM, up to 10 s to exit, then SIGKILL and up to 10 s more.
stop_all() {
  signal_each TERM "$@" || return 0
  i=0; while [ $i -lt 50 ] && signal_each "" "$@"; do sleep 0.2; i=$((i + 1)); done
  signal_each KILL "$@" || return 0
  i=0; while [ $i -lt 50 ] && signal_each "" "$@"; do sleep 0.2; i=$((i + 1)); done
}
stop_all $early
stop_all $late
rm -rf "$dir"
`;

export const SHELL = "/bin/sh";
/** Bare pids of the watched processes, one per line (its presence marks a throwaway cluster's folder). */
export const PIDS_FILE = "pids";
/** `pid startTime bin` of the watched processes, one per line: what the watchdog checks before a signal. */
export const PROCS_FILE = "procs";

/**
 * Starts the watchdog of the folder `dir` for the owner `ownerPid` (logs to `<dir>/logs/watchdog.log`).
 * With `runnerPid`, the death of that process ends the folder's processes too: a test runner, whose test
 * process would otherwise hang on (reparented, keeping its cluster) when the runner is killed.
 */
export async function startWatchdog(
  dir: string,
  ownerPid: number,
  opts: { runnerPid?: number } = {},
): Promise<StartedProcess> {
  const ownerStart = (await procStat(ownerPid))?.startTime ?? "";
  const runner = opts.runnerPid && opts.runnerPid > 1 ? opts.runnerPid : undefined;
  const runnerStart = runner ? await procStat(runner) : undefined;
  return await startProcess(
    SHELL,
    [
      "-c",
      SCRIPT,
      "ferry-cluster-watchdog",
      String(ownerPid),
      ownerStart,
      dir,
      // A runner already gone (or never known) is not watched.
      runnerStart ? String(runner) : "",
      runnerStart?.startTime ?? "",
    ],
    join(dir, "logs", "watchdog.log"),
  );
}

/**
 * Adds a started process to the list the watchdog stops: its pid to `<dir>/pids`, and `pid startTime bin`
 * to `<dir>/procs`. Without `bin` and `startTime`, both are read from /proc now (call it right after
 * starting the process).
 */
export async function watchPid(dir: string, pid: number, bin?: string, startTime?: string): Promise<void> {
  const st = startTime ?? (await procStat(pid))?.startTime ?? "-";
  let exe = bin;
  if (exe === undefined) {
    exe = await readFile(`/proc/${pid}/cmdline`, "utf8").then(
      (c) => c.split("\0")[0] ?? "",
      () => "",
    );
  }
  await appendFile(join(dir, PROCS_FILE), `${pid} ${st} ${exe}\n`);
  await appendFile(join(dir, PIDS_FILE), `${pid}\n`);
}
