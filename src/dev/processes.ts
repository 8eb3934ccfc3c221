/**
 * Component processes of a local cluster: started detached (their own process group, output appended to a
 * log file) so they outlive the CLI command that started them, and stopped by pid after checking that the
 * pid still runs the recorded binary, so a reused pid is never signalled.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface StartedProcess {
  pid: number;
  bin: string;
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
    return { pid: child.pid!, bin, logFile, child };
  } finally {
    closeSync(fd);
  }
}

/** True when `pid` is a live (not zombie) process whose executable is `bin`. */
export async function isRunning(pid: number, bin: string): Promise<boolean> {
  try {
    const [cmdline, stat] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, "utf8"),
      readFile(`/proc/${pid}/stat`, "utf8"),
    ]);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return cmdline.split("\0")[0] === bin && state !== "Z" && state !== "X";
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
 * Sends SIGTERM to `pid` if it still runs `bin`, waits up to `graceMs` for it to exit, then sends SIGKILL.
 * Returns whether a process was signalled.
 */
export async function stopProcess(pid: number, bin: string, graceMs = 5000): Promise<boolean> {
  if (!(await isRunning(pid, bin))) return false;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return false;
  }
  for (let waited = 0; waited < graceMs; waited += 50) {
    await sleep(50);
    if (!(await isRunning(pid, bin))) return true;
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return true;
  }
  for (let i = 0; i < 100 && (await isRunning(pid, bin)); i++) await sleep(50);
  return true;
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
