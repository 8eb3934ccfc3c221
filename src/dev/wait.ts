/** Readiness checks of a starting cluster, polled until they pass, a component dies, or time runs out. */
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiConnection, apiGetJson, apiRequest } from "./api.ts";
import { ClusterError } from "./errors.ts";
import { logTail, type StartedProcess } from "./processes.ts";

export interface WaitContext {
  cluster: string;
  /** Components whose early exit fails the wait at once, with their log tail. */
  watched: Array<{ component: string; proc: StartedProcess }>;
  deadline: number;
  signal?: AbortSignal;
}

/** Polls `check` every 200 ms until it returns true. */
export async function waitFor(ctx: WaitContext, what: string, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    ctx.signal?.throwIfAborted();
    for (const { component, proc } of ctx.watched) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        const tail = await logTail(proc.logFile);
        throw new ClusterError(
          ctx.cluster,
          `${component} of local cluster "${ctx.cluster}" exited (${proc.child.exitCode ?? proc.child.signalCode}) while waiting for ${what}; see ${proc.logFile}:\n${tail}`,
          { logFile: proc.logFile },
        );
      }
    }
    if (await check()) return;
    if (Date.now() > ctx.deadline) {
      throw new ClusterError(
        ctx.cluster,
        `local cluster "${ctx.cluster}" timed out waiting for ${what}; see the component logs in the cluster folder, or raise the timeout`,
      );
    }
    await sleep(200, undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

export async function etcdHealthy(port: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, signal ? { signal } : {});
    return res.ok && ((await res.json()) as { health?: string }).health === "true";
  } catch {
    if (signal?.aborted) throw signal.reason;
    return false;
  }
}

export async function apiReady(conn: ApiConnection, signal?: AbortSignal): Promise<boolean> {
  try {
    return (await apiRequest(conn, "GET", "/readyz", signal ? { signal } : {})).status === 200;
  } catch {
    if (signal?.aborted) throw signal.reason;
    return false;
  }
}

export async function exists(conn: ApiConnection, path: string, signal?: AbortSignal): Promise<boolean> {
  return (await apiGetJson<unknown>(conn, path, signal)) !== undefined;
}

interface NodeList {
  items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
}

/** Number of nodes whose Ready condition is True. */
export async function readyNodes(conn: ApiConnection, signal?: AbortSignal): Promise<number> {
  const list = await apiGetJson<NodeList>(conn, "/api/v1/nodes", signal);
  return (list?.items ?? []).filter((n) =>
    n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
}

interface LeaseList {
  items: Array<{ metadata: { name: string }; spec?: { renewTime?: string } }>;
}

/** Names of the nodes whose heartbeat Lease (kube-node-lease) has been renewed at least once. */
export async function leasedNodes(conn: ApiConnection, signal?: AbortSignal): Promise<Set<string>> {
  const list = await apiGetJson<LeaseList>(
    conn,
    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
    signal,
  );
  return new Set((list?.items ?? []).filter((l) => l.spec?.renewTime).map((l) => l.metadata.name));
}
