/**
 * Runs one query against every cluster of the fleet concurrently (at most `concurrency` at once), each with
 * its own timeout and its own API client. A cluster that fails — unreadable kubeconfig, unreachable server,
 * timeout, missing CRDs — yields a result with its error; the fleet query itself only fails when the
 * caller's signal is aborted.
 */
import { describe } from "../errors/index.ts";
import { KubeClient, loadKubeConfig } from "../kube/index.ts";
import type { FleetCluster } from "./clusters.ts";
import { ClusterTimeoutError } from "./errors.ts";

export interface ClusterResult<T> {
  cluster: FleetCluster;
  /** The query's answer; undefined when the cluster failed. */
  value?: T | undefined;
  /** One line naming what failed and how to fix it. */
  error?: string | undefined;
  /** The error's class name (`KubeConnectionError`, `ClusterTimeoutError`, …). */
  errorName?: string | undefined;
}

export interface QueryOptions {
  signal: AbortSignal;
  /** Per-cluster deadline for the whole query (default 15 s). */
  timeoutMs?: number | undefined;
  /** Clusters queried at once (default 8). */
  concurrency?: number | undefined;
  userAgent?: string | undefined;
}

export type ClusterQuery<T> = (client: KubeClient, cluster: FleetCluster, signal: AbortSignal) => Promise<T>;

async function queryOne<T>(
  cluster: FleetCluster,
  fn: ClusterQuery<T>,
  opts: QueryOptions,
): Promise<ClusterResult<T>> {
  if (cluster.problem) return { cluster, error: cluster.problem, errorName: "KubeConfigError" };
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([opts.signal, deadline]);
  let client: KubeClient | undefined;
  try {
    const kc = loadKubeConfig({
      path: cluster.kubeconfig,
      ...(cluster.context ? { context: cluster.context } : {}),
    });
    client = new KubeClient(kc, { userAgent: opts.userAgent ?? "ferry-fleet" });
    const value = await raceAbort(fn(client, cluster, signal), signal);
    return { cluster, value };
  } catch (err) {
    if (opts.signal.aborted) throw opts.signal.reason ?? err;
    const e = deadline.aborted ? new ClusterTimeoutError(cluster.name, timeoutMs, { cause: err }) : err;
    return {
      cluster,
      error: describe(e),
      errorName: e instanceof Error ? e.name : "Error",
    };
  } finally {
    client?.close();
  }
}

/** Settles with the promise, or rejects as soon as the signal aborts (a query stuck past its deadline). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** One result per cluster, in the fleet's order. */
export async function queryFleet<T>(
  clusters: readonly FleetCluster[],
  fn: ClusterQuery<T>,
  opts: QueryOptions,
): Promise<ClusterResult<T>[]> {
  return await eachLimited(clusters, opts.concurrency ?? 8, (c) => queryOne(c, fn, opts));
}

/** `fn` over every item, at most `limit` at once, results in input order; `fn` must not reject. */
export async function eachLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * At most `size` tasks at once across every caller sharing it: kustomize builds and dry-runs of all the
 * clusters of one command, so a large fleet does not start dozens of kustomize processes at a time.
 */
export class Limiter {
  readonly size: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.size = Math.max(1, size);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.size) this.active++;
    // A finishing task hands its slot over directly, so no newcomer can slip in between.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
