/**
 * createCluster: starts a whole Kubernetes cluster as local processes — etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes that stay Ready, pods that become Running) —
 * on free 127.0.0.1 ports, and returns once the API server is ready, the default namespace and service
 * account exist and every node is Ready.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors/index.ts";
import { generateCerts, type Identity } from "./certs.ts";
import { SERVICE_IP } from "./components.ts";
import { deleteClusterDir } from "./delete.ts";
import { ClusterError, ClusterExistsError } from "./errors.ts";
import { freePorts } from "./ports.ts";
import { logTail } from "./processes.ts";
import { type StartOptions, startComponents } from "./start.ts";
import { type ClusterState, type Component, type ComponentState, readState, writeState } from "./state.ts";
import { toolPath } from "./tools.ts";
import { PIDS_FILE, PROCS_FILE, startWatchdog } from "./watchdog.ts";

/** The Kubernetes release scripts/tools/10-kube.sh builds (tools/go/kube/go.mod). */
export const KUBERNETES_VERSION = "v1.37.2";

export type ToolName = Component | "kwok-stages";

export interface CreateClusterOptions {
  /** Cluster name: a DNS label (lowercase letters, digits, '-'). */
  name: string;
  /** Cluster folder; must not hold a cluster already. */
  dir: string;
  /** Fake nodes kwok keeps Ready (default 1). */
  nodes?: number;
  /** Readiness deadline for the whole start (default 120 s). */
  timeoutMs?: number;
  /** Binary paths; by default read from the test tool index (toolPath). */
  tools?: Partial<Record<ToolName, string>>;
  /** Tool index folder for toolPath (default ~/.cache/ferry). */
  cacheDir?: string;
  /**
   * When set, a watchdog process stops the cluster and removes its folder once this pid is gone (for test
   * clusters, so a killed test runner leaves nothing behind). Off for clusters meant to outlive the caller.
   */
  ownerPid?: number;
  /**
   * With `ownerPid`: a second process whose death also stops the cluster, the test runner that started
   * the owning test process (a test process whose runner was killed hangs on, reparented, otherwise).
   */
  runnerPid?: number;
  /**
   * Extra command-line flags per component, appended after Ferry's own (a later flag wins), e.g. a higher
   * log verbosity while investigating: `{ "kube-controller-manager": ["--v=2"] }`.
   */
  extraArgs?: Partial<Record<Component, string[]>>;
  /** Aborting stops whatever was started and leaves the folder with its logs. */
  signal?: AbortSignal;
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/;

export function validateClusterName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(
      `cluster name "${name}" is invalid; use lowercase letters, digits and '-' (at most 52), starting and ending with a letter or digit`,
    );
  }
}

function resolveTools(opts: CreateClusterOptions): Record<ToolName, string> {
  const names: ToolName[] = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "kwok-stages",
  ];
  const out = {} as Record<ToolName, string>;
  for (const n of names) {
    out[n] = opts.tools?.[n] ?? toolPath(n, opts.cacheDir ? { cacheDir: opts.cacheDir } : {});
  }
  return out;
}

const IDENTITIES: Identity[] = [
  { file: "admin", user: "ferry-admin", groups: ["system:masters"] },
  { file: "controller-manager", user: "system:kube-controller-manager", groups: [] },
  { file: "scheduler", user: "system:kube-scheduler", groups: [] },
  // kwok writes node and pod status of every managed object; cluster-admin keeps it simple.
  { file: "kwok", user: "kwok", groups: ["system:masters"] },
];

/** Starts a cluster in `opts.dir` and returns its state (also written to `<dir>/cluster.json`). */
export async function createCluster(opts: CreateClusterOptions): Promise<ClusterState> {
  validateClusterName(opts.name);
  const nodes = opts.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > 100) {
    throw new UsageError(`node count ${nodes} is invalid; use a whole number from 0 to 100`);
  }
  const signal = opts.signal;
  const tools = resolveTools(opts);
  if (await readState(opts.dir)) throw new ClusterExistsError(opts.name, opts.dir);
  await mkdir(opts.dir, { recursive: true });
  if ((await readdir(opts.dir)).length > 0) throw new ClusterExistsError(opts.name, opts.dir);

  const pki = join(opts.dir, "pki");
  await mkdir(pki, { recursive: true, mode: 0o700 });
  try {
    await generateCerts(pki, {
      serviceIP: SERVICE_IP,
      identities: IDENTITIES,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    // Nothing runs yet: leave no half-made folder that would block the next create.
    await rm(opts.dir, { recursive: true, force: true });
    throw err;
  }
  const startOpts: StartOptions = {
    tools,
    deadline: Date.now() + (opts.timeoutMs ?? 120_000),
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
    ...(signal ? { signal } : {}),
  };
  const createdAt = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(5);
    const state: ClusterState = {
      name: opts.name,
      dir: opts.dir,
      server: `https://127.0.0.1:${ports[2]}`,
      kubeconfig: join(opts.dir, "kubeconfig"),
      kubernetesVersion: KUBERNETES_VERSION,
      nodes,
      ports: {
        etcdClient: ports[0]!,
        etcdPeer: ports[1]!,
        apiServer: ports[2]!,
        controllerManager: ports[3]!,
        scheduler: ports[4]!,
      },
      processes: {},
      createdAt,
    };
    if (opts.ownerPid !== undefined) {
      state.watchdog = await attachWatchdog(opts.dir, opts.ownerPid, opts.runnerPid);
    }
    await writeState(state);
    try {
      await startComponents(state, startOpts);
      state.readyAt = new Date().toISOString();
      await writeState(state);
      return state;
    } catch (err) {
      // Leave nothing running; keep the folder for its logs.
      await deleteClusterDir(opts.dir, { keepFiles: true });
      if (signal?.aborted) throw signal.reason;
      // Ports are picked free but bound later: another process may have taken one in between. Retry with
      // fresh ports and an empty etcd.
      if (attempt < 3 && (await portTaken(err))) {
        await rm(join(opts.dir, "etcd"), { recursive: true, force: true });
        await rm(join(opts.dir, PIDS_FILE), { force: true });
        await rm(join(opts.dir, PROCS_FILE), { force: true });
        continue;
      }
      throw err;
    }
  }
}

async function attachWatchdog(dir: string, ownerPid: number, runnerPid?: number): Promise<ComponentState> {
  await mkdir(join(dir, "logs"), { recursive: true });
  const w = await startWatchdog(dir, ownerPid, runnerPid ? { runnerPid } : {});
  return { pid: w.pid, bin: w.bin, ...(w.startTime ? { startTime: w.startTime } : {}), logFile: w.logFile };
}

async function portTaken(err: unknown): Promise<boolean> {
  if (!(err instanceof ClusterError) || !err.logFile) return false;
  return /address already in use/.test(await logTail(err.logFile, 40));
}
