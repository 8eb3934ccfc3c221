/**
 * Resource use of controller processes read from /proc: CPU seconds (user + system, including reaped
 * children such as Ferry's kustomize subprocesses), the kernel's peak resident set (VmHWM) of the process
 * itself, and a sampled peak of the process plus its live descendants.
 */
import { readdir, readFile } from "node:fs/promises";

/** USER_HZ: clock ticks per second in /proc/<pid>/stat (100 on Linux for x86 and arm). */
const TICKS = 100;

async function stat(pid: number): Promise<string[] | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), starting with field 3 (state).
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by `pid` and the children it has waited for. */
export async function cpuSeconds(pid: number): Promise<number> {
  const f = await stat(pid);
  if (!f) return Number.NaN;
  // utime, stime, cutime, cstime are fields 14–17, i.e. indexes 11–14 counting from field 3.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) / TICKS;
}

async function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  try {
    const s = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Peak resident set of `pid` itself since it started, in MiB (the kernel's high-water mark). */
export async function peakRssMiB(pid: number): Promise<number> {
  return (await statusKiB(pid, "VmHWM")) / 1024;
}

/** `pid` and every live descendant. */
async function tree(pid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const e of await readdir("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    const f = await stat(Number(e));
    if (f) parent.set(Number(e), Number(f[1]));
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  }
  return out;
}

/** Samples the resident set of each process tree every `everyMs` until `stop()`; peaks in MiB. */
export function sampleTrees(pids: number[], everyMs = 500): { stop: () => Promise<number[]> } {
  const peaks = pids.map(() => 0);
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [i, pid] of pids.entries()) {
        let kib = 0;
        for (const p of await tree(pid)) kib += await statusKiB(p, "VmRSS");
        peaks[i] = Math.max(peaks[i]!, kib / 1024);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peaks;
    },
  };
}
