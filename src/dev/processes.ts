/**
 * Component processes of a local cluster: started detached (their own session and process group, output
 * appended to a log file) so they outlive the CLI command that started them, and stopped by pid after
 * checking that the pid still runs the recorded binary (and, when recorded, still has the recorded start
 * time), so a reused pid is never signalled. Stopping signals the process's whole group, so whatever it
 * started goes with it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface StartedProcess {
  pid: number;
  bin: string;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): with the pid, unique for the boot. */
  startTime: string | undefined;
  logFile: string;
  child: ChildProcess;
}

/** Spawns `bin args…` with stdout and stderr appended to `logFile`. Throws if the binary cannot be spawned. */
export async function startProcess(bin: string, args: string[], logFile: string): Promise<StartedProcess> {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.unref();
    const pid = child.pid!;
    return { pid, bin, startTime: (await procStat(pid))?.startTime, logFile, child };
  } finally {
    closeSync(fd);
  }
}

export interface ProcStat {
  /** One letter: R running, S sleeping, Z zombie… */
  state: string;
  /** Process group id: equals the pid for a process started detached. */
  pgrp: number;
  /** Clock ticks since boot at which the process started. */
  startTime: string;
}

/** Fields of /proc/<pid>/stat, or undefined when there is no such process. */
export async function procStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after "pid (comm) ", which may itself hold spaces and parentheses: field 3 is state.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0] ?? "", pgrp: Number(rest[2]), startTime: rest[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live (not zombie) process whose executable is `bin` and, when `startTime` is given,
 * that started at that time (so not another process that got the same pid later).
 */
export async function isRunning(pid: number, bin: string, startTime?: string): Promise<boolean> {
  try {
    const [cmdline, stat] = await Promise.all([readFile(`/proc/${pid}/cmdline`, "utf8"), procStat(pid)]);
    if (!stat || stat.state === "Z" || stat.state === "X") return false;
    if (startTime !== undefined && stat.startTime !== startTime) return false;
    return cmdline.split("\0")[0] === bin;
  } catch {
    return false;
  }
}

/** Resident memory of `pid` in bytes (VmRSS), or 0 when it is gone. */
export async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Sends SIGTERM to `pid` if it still runs `bin` (and started at `startTime`, when given), waits up to
 * `graceMs` for it to exit, then sends SIGKILL and waits for it to be gone. A process that leads its own
 * group (started detached) is signalled with its whole group. Returns whether a process was signalled.
 */
export async function stopProcess(
  pid: number,
  bin: string,
  graceMs = 5000,
  startTime?: string,
): Promise<boolean> {
  if (!(await isRunning(pid, bin, startTime))) return false;
  const leader = (await procStat(pid))?.pgrp === pid;
  const signal = (sig: NodeJS.Signals): boolean => {
    try {
      process.kill(leader ? -pid : pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal("SIGTERM")) return false;
  for (let waited = 0; waited < graceMs; waited += 50) {
    await sleep(50);
    if (!(await isRunning(pid, bin, startTime))) return true;
  }
  // Only after a last identity check: the pid may have been given to another process meanwhile.
  if (!(await isRunning(pid, bin, startTime)) || !signal("SIGKILL")) return true;
  for (let i = 0; i < 200 && (await isRunning(pid, bin, startTime)); i++) await sleep(50);
  return true;
}

/**
 * Pids of the live processes (other than this one) whose command line mentions `text`, e.g. a cluster
 * folder with a trailing slash: every component names files inside it. Zombies are left out.
 */
export async function processesMentioning(text: string): Promise<Array<{ pid: number; bin: string }>> {
  const out: Array<{ pid: number; bin: string }> = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
      if (!argv.some((a) => a.includes(text))) continue;
      const st = await procStat(pid);
      if (st && st.state !== "Z" && st.state !== "X") out.push({ pid, bin: argv[0] ?? "" });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** The last `lines` lines of a log file, for error messages ("" when unreadable). */
export async function logTail(file: string, lines = 15): Promise<string> {
  try {
    const fh = await open(file, "r");
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 16384);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}
