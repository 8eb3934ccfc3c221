/**
 * The dev fleet's registry: the CNCF distribution registry (`docker-registry`) as a detached background
 * process on 127.0.0.1, storage and config in `<dir>/`, its pid and port recorded in `<dir>/registry.json`
 * so it outlives `ferry dev up` and keeps its port (and content) across restarts.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isRunning, logTail, startProcess, stopProcess } from "../dev/processes.ts";
import { freePort } from "../dev/registry.ts";
import { toolPath } from "../dev/tools.ts";
import { DevFleetError } from "./errors.ts";

export interface DevRegistryState {
  pid: number;
  bin: string;
  port: number;
  logFile: string;
}

const STATE = "registry.json";

async function readRegistryState(dir: string): Promise<DevRegistryState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, STATE), "utf8")) as DevRegistryState;
  } catch {
    return undefined;
  }
}

async function answers(host: string, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/v2/`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts the registry unless the recorded one runs; returns `127.0.0.1:PORT` and whether it was started. */
export async function ensureDevRegistry(opts: {
  dir: string;
  cacheDir?: string;
  signal: AbortSignal;
}): Promise<{ host: string; started: boolean; state: DevRegistryState }> {
  const { dir, signal } = opts;
  const old = await readRegistryState(dir);
  if (old && (await isRunning(old.pid, old.bin))) {
    return { host: `127.0.0.1:${old.port}`, started: false, state: old };
  }
  const bin = toolPath("docker-registry", opts.cacheDir ? { cacheDir: opts.cacheDir } : {});
  await mkdir(join(dir, "storage"), { recursive: true });
  const port = old?.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: ${host}`,
      "  secret: ferry-dev-registry",
      "",
    ].join("\n"),
  );
  const logFile = join(dir, "registry.log");
  const p = await startProcess(bin, ["serve", config], logFile);
  const state: DevRegistryState = { pid: p.pid, bin, port, logFile };
  await writeFile(join(dir, STATE), `${JSON.stringify(state, null, 2)}\n`);
  for (let i = 0; i < 200; i++) {
    if (await answers(host, signal)) return { host, started: true, state };
    if (!(await isRunning(p.pid, bin))) break;
    await sleep(100, undefined, { signal });
  }
  await stopProcess(p.pid, bin, 1000);
  const tail = await logTail(logFile, 3);
  throw new DevFleetError(
    "registry",
    /address already in use/.test(tail)
      ? `the dev registry's port ${port} is taken by another process; stop it, or run \`ferry dev down\` to start afresh on a new port`
      : `the dev registry did not start on ${host} (${tail.replace(/\n/g, " ") || "no answer on /v2/"}); see ${logFile}`,
  );
}

/** Stops the recorded registry (if it runs) and removes its folder; returns whether it was stopped. */
export async function stopDevRegistry(dir: string): Promise<boolean> {
  const st = await readRegistryState(dir);
  const stopped = st ? await stopProcess(st.pid, st.bin) : false;
  await rm(dir, { recursive: true, force: true });
  return stopped;
}
