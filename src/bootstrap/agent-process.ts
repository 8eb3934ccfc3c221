/**
 * The local agent of a cluster: `ferry agent --kubeconfig … --store …` started as a detached background
 * process (there is no container runtime to run it in the cluster), its pid, command line and log file
 * recorded in `<dir>/agent.json` so any later command can find and stop it. In the folder of a throwaway
 * cluster (one with an owner watchdog), the agent's pid is handed to the watchdog too.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess, stopProcess } from "../dev/processes.ts";
import { watchPid } from "../dev/watchdog.ts";

export interface AgentProcessState {
  pid: number;
  /** The executable (node); a pid counts as the agent only while it still runs this binary with `args`. */
  bin: string;
  args: string[];
  logFile: string;
  storeDir: string;
  kubeconfig: string;
  startedAt: string;
}

export const AGENT_STATE_FILE = "agent.json";

/** `bin/ferry.js` of this checkout. */
export function ferryEntry(): string {
  return fileURLToPath(new URL("../../bin/ferry.js", import.meta.url));
}

/** The recorded agent of `dir`, or undefined when none was recorded. */
export async function readAgentState(dir: string): Promise<AgentProcessState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, AGENT_STATE_FILE), "utf8")) as AgentProcessState;
  } catch {
    return undefined;
  }
}

/** True when the recorded pid still runs the recorded command line. */
export async function agentRunning(state: AgentProcessState): Promise<boolean> {
  try {
    const cmdline = (await readFile(`/proc/${state.pid}/cmdline`, "utf8")).split("\0").filter((s) => s);
    const stat = await readFile(`/proc/${state.pid}/stat`, "utf8");
    const st = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (st === "Z" || st === "X") return false;
    return cmdline[0] === state.bin && state.args.every((a, i) => cmdline[i + 1] === a);
  } catch {
    return false;
  }
}

export interface EnsureAgentOptions {
  /** Folder for agent.json, the log and the artifact store (the cluster's folder). */
  dir: string;
  kubeconfig: string;
  /** Node binary (default: the running one). */
  node?: string;
  /** The ferry entry script (default: this checkout's bin/ferry.js). */
  entry?: string;
}

/** Starts the agent unless one recorded in `dir` is running; returns its state and whether it was started. */
export async function ensureAgent(
  opts: EnsureAgentOptions,
): Promise<{ state: AgentProcessState; started: boolean }> {
  const existing = await readAgentState(opts.dir);
  if (existing && (await agentRunning(existing))) return { state: existing, started: false };
  await mkdir(join(opts.dir, "logs"), { recursive: true });
  const storeDir = join(opts.dir, "agent-store");
  const logFile = join(opts.dir, "logs", "agent.log");
  const bin = opts.node ?? process.execPath;
  const args = [opts.entry ?? ferryEntry(), "agent", "--kubeconfig", opts.kubeconfig, "--store", storeDir];
  const p = await startProcess(bin, args, logFile);
  const state: AgentProcessState = {
    pid: p.pid,
    bin,
    args,
    logFile,
    storeDir,
    kubeconfig: opts.kubeconfig,
    startedAt: new Date().toISOString(),
  };
  await writeFile(join(opts.dir, AGENT_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  // In a throwaway (test) cluster's folder, the owner watchdog stops the agent with the cluster.
  if (existsSync(join(opts.dir, "pids"))) await watchPid(opts.dir, p.pid);
  return { state, started: true };
}

/** Stops the agent recorded in `dir` (if it still runs) and forgets it; returns whether one was stopped. */
export async function stopAgent(dir: string): Promise<boolean> {
  const state = await readAgentState(dir);
  if (!state) return false;
  const stopped = (await agentRunning(state)) ? await stopProcess(state.pid, state.bin) : false;
  await rm(join(dir, AGENT_STATE_FILE), { force: true });
  return stopped;
}
