/**
 * One attempt at starting the components of a cluster whose folder, certificates and state already exist:
 * etcd, then the API server, then the controller manager, scheduler and kwok; then the fake nodes; then
 * the readiness checks. Records each pid in cluster.json as soon as it exists. The caller cleans up on error.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type ApiConnection, apiRequest } from "./api.ts";
import { readPem } from "./certs.ts";
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  nodeObject,
  schedulerArgs,
} from "./components.ts";
import { ClusterError } from "./errors.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { type StartedProcess, startProcess } from "./processes.ts";
import { type ClusterState, type Component, writeState } from "./state.ts";
import { apiReady, etcdHealthy, exists, leasedNodes, readyNodes, type WaitContext, waitFor } from "./wait.ts";
import { watchPid } from "./watchdog.ts";

/** Client identities with a kubeconfig each; "admin" is the user-facing `kubeconfig`. */
export const KUBECONFIG_IDENTITIES = ["admin", "controller-manager", "scheduler", "kwok"] as const;

export interface StartOptions {
  tools: Record<Component | "kwok-stages", string>;
  /** Epoch ms by which everything must be ready. */
  deadline: number;
  extraArgs?: Partial<Record<Component, string[]>>;
  signal?: AbortSignal;
}

export async function startComponents(state: ClusterState, opts: StartOptions): Promise<void> {
  const { dir, name, server } = state;
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const pki = join(dir, "pki");
  await mkdir(join(dir, "logs"), { recursive: true });
  const ca = (await readPem(pki, "ca")).cert;
  for (const id of KUBECONFIG_IDENTITIES) {
    const pem = await readPem(pki, id);
    const path = id === "admin" ? state.kubeconfig : join(dir, `${id}.kubeconfig`);
    await writeKubeconfig(path, { name, server, caPem: ca, certPem: pem.cert, keyPem: pem.key });
  }
  const admin = await readPem(pki, "admin");
  const conn: ApiConnection = { server, ca, cert: admin.cert, key: admin.key };
  const ctx: WaitContext = { cluster: name, watched: [], deadline: opts.deadline, ...sig };

  const start = async (component: Component, args: string[]): Promise<void> => {
    const logFile = join(dir, "logs", `${component}.log`);
    const bin = opts.tools[component];
    let proc: StartedProcess;
    try {
      proc = await startProcess(bin, [...args, ...(opts.extraArgs?.[component] ?? [])], logFile);
    } catch (err) {
      throw new ClusterError(name, `starting ${component} (${bin}) failed; run \`npm run tools\``, {
        cause: err,
      });
    }
    // The watchdog's list first: should this process die now, the watchdog must already know the pid.
    if (state.watchdog) await watchPid(dir, proc.pid, proc.bin, proc.startTime);
    state.processes[component] = {
      pid: proc.pid,
      bin: proc.bin,
      ...(proc.startTime ? { startTime: proc.startTime } : {}),
      logFile,
    };
    await writeState(state);
    ctx.watched.push({ component, proc });
  };

  await start("etcd", etcdArgs(dir, state.ports));
  await waitFor(ctx, "etcd to be healthy", () => etcdHealthy(state.ports.etcdClient, signal));
  await start("kube-apiserver", apiServerArgs(dir, state.ports));
  await waitFor(ctx, "the API server to be ready", () => apiReady(conn, signal));
  await start("kube-controller-manager", controllerManagerArgs(dir, state.ports, name));
  await start("kube-scheduler", schedulerArgs(dir, state.ports));
  await start("kwok", kwokArgs(dir, opts.tools["kwok-stages"]));
  for (let i = 0; i < state.nodes; i++) {
    const res = await apiRequest(conn, "POST", "/api/v1/nodes", {
      body: nodeObject(`kwok-node-${i}`),
      ...sig,
    });
    if (res.status !== 201) {
      throw new ClusterError(
        name,
        `creating node kwok-node-${i} in local cluster "${name}" failed (HTTP ${res.status}): ${res.body}`,
      );
    }
  }
  await waitFor(ctx, "the default namespace", () => exists(conn, "/api/v1/namespaces/default", signal));
  await waitFor(ctx, "the default service account", () =>
    exists(conn, "/api/v1/namespaces/default/serviceaccounts/default", signal),
  );
  await waitFor(
    ctx,
    `${state.nodes} Ready node(s)`,
    async () => (await readyNodes(conn, signal)) >= state.nodes,
  );
  // Ready nodes without a lease turn NotReady within a minute (see kwokArgs): start only once kwok holds one.
  await waitFor(ctx, `a heartbeat lease for each of the ${state.nodes} node(s)`, async () => {
    const leased = await leasedNodes(conn, signal);
    return Array.from({ length: state.nodes }, (_, i) => `kwok-node-${i}`).every((n) => leased.has(n));
  });
}
