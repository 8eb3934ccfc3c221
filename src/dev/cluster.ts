/**
 * createCluster: starts a whole Kubernetes cluster as local processes — etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes that stay Ready, pods that become Running) —
 * on free 127.0.0.1 ports, and returns once the API server is ready, the default namespace and service
 * account exist and every node is Ready.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors/index.ts";
import { type ApiConnection, apiRequest } from "./api.ts";
import { generateCerts, type Identity, readPem } from "./certs.ts";
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  nodeObject,
  SERVICE_IP,
  schedulerArgs,
} from "./components.ts";
import { deleteClusterDir } from "./delete.ts";
import { ClusterError, ClusterExistsError } from "./errors.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { freePorts } from "./ports.ts";
import { type StartedProcess, startProcess } from "./processes.ts";
import { type ClusterState, type Component, readState, writeState } from "./state.ts";
import { toolPath } from "./tools.ts";
import { apiReady, etcdHealthy, exists, readyNodes, type WaitContext, waitFor } from "./wait.ts";

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
  await mkdir(join(opts.dir, "logs"), { recursive: true });
  const [etcdClient, etcdPeer, apiServer, controllerManager, scheduler] = await freePorts(5);
  const server = `https://127.0.0.1:${apiServer}`;
  const state: ClusterState = {
    name: opts.name,
    dir: opts.dir,
    server,
    kubeconfig: join(opts.dir, "kubeconfig"),
    kubernetesVersion: KUBERNETES_VERSION,
    nodes,
    ports: {
      etcdClient: etcdClient!,
      etcdPeer: etcdPeer!,
      apiServer: apiServer!,
      controllerManager: controllerManager!,
      scheduler: scheduler!,
    },
    processes: {},
    createdAt: new Date().toISOString(),
  };
  await writeState(state);

  await generateCerts(pki, { serviceIP: SERVICE_IP, identities: IDENTITIES, ...(signal ? { signal } : {}) });
  const ca = (await readPem(pki, "ca")).cert;
  for (const id of IDENTITIES) {
    const pem = await readPem(pki, id.file);
    const path = id.file === "admin" ? state.kubeconfig : join(opts.dir, `${id.file}.kubeconfig`);
    await writeKubeconfig(path, { name: opts.name, server, caPem: ca, certPem: pem.cert, keyPem: pem.key });
  }
  const admin = await readPem(pki, "admin");
  const conn: ApiConnection = { server, ca, cert: admin.cert, key: admin.key };

  const ctx: WaitContext = {
    cluster: opts.name,
    watched: [],
    deadline: Date.now() + (opts.timeoutMs ?? 120_000),
    ...(signal ? { signal } : {}),
  };
  const start = async (component: Component, args: string[]): Promise<StartedProcess> => {
    const logFile = join(opts.dir, "logs", `${component}.log`);
    let proc: StartedProcess;
    try {
      proc = await startProcess(tools[component], args, logFile);
    } catch (err) {
      throw new ClusterError(
        opts.name,
        `starting ${component} (${tools[component]}) failed; run \`npm run tools\``,
        {
          cause: err,
        },
      );
    }
    state.processes[component] = { pid: proc.pid, bin: proc.bin, logFile };
    await writeState(state);
    ctx.watched.push({ component, proc });
    return proc;
  };

  try {
    await start("etcd", etcdArgs(opts.dir, state.ports));
    await waitFor(ctx, "etcd to be healthy", () => etcdHealthy(state.ports.etcdClient, signal));
    await start("kube-apiserver", apiServerArgs(opts.dir, state.ports));
    await waitFor(ctx, "the API server to be ready", () => apiReady(conn, signal));
    await start("kube-controller-manager", controllerManagerArgs(opts.dir, state.ports, opts.name));
    await start("kube-scheduler", schedulerArgs(opts.dir, state.ports));
    await start("kwok", kwokArgs(opts.dir, tools["kwok-stages"]));
    for (let i = 0; i < nodes; i++) {
      const res = await apiRequest(conn, "POST", "/api/v1/nodes", {
        body: nodeObject(`kwok-node-${i}`),
        ...(signal ? { signal } : {}),
      });
      if (res.status !== 201) {
        throw new ClusterError(
          opts.name,
          `creating node kwok-node-${i} failed (HTTP ${res.status}): ${res.body}`,
        );
      }
    }
    await waitFor(ctx, "the default namespace", () => exists(conn, "/api/v1/namespaces/default", signal));
    await waitFor(ctx, "the default service account", () =>
      exists(conn, "/api/v1/namespaces/default/serviceaccounts/default", signal),
    );
    await waitFor(ctx, `${nodes} Ready node(s)`, async () => (await readyNodes(conn, signal)) >= nodes);
  } catch (err) {
    // Leave nothing running; keep the folder (logs) unless nothing of interest was started.
    await deleteClusterDir(opts.dir, { keepFiles: true });
    throw err;
  }
  state.readyAt = new Date().toISOString();
  await writeState(state);
  return state;
}
