/**
 * Test harness for suites that need a real API server. Under `npm test` the global setup starts one shared
 * cluster and exports its admin kubeconfig as FERRY_TEST_KUBECONFIG; `testCluster()` returns it. A test file
 * run on its own (`node --test x.test.ts`) gets a private cluster instead, stopped by `release()`.
 * Tests create their own namespaces (`createTestNamespace`) and delete them; they never share one.
 *
 * Test-only: this module reads process.env (FERRY_TEST_KUBECONFIG) because tests have no CLI context.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type ApiConnection, apiRequest } from "./api.ts";
import { type CreateClusterOptions, createCluster } from "./cluster.ts";
import { deleteClusterDir } from "./delete.ts";
import { describeWorkloads } from "./describe.ts";
import { ClusterError } from "./errors.ts";
import { readKubeconfigConnection } from "./kubeconfig.ts";

export interface TestCluster {
  /** Admin kubeconfig path (context = cluster name). */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin connection for the small raw calls of src/dev/api.ts. */
  conn: ApiConnection;
  /** Stops the cluster if this call started it; a no-op for the shared one. */
  release: () => Promise<void>;
}

export interface StartedTestCluster {
  kubeconfig: string;
  dir: string;
  stop: () => Promise<void>;
}

/** Starts a cluster in a new temporary folder; `stop()` stops it and removes the folder. */
export async function startTestCluster(
  opts: {
    name?: string;
    nodes?: number;
    /** Extra flags per component (e.g. a higher log verbosity), see CreateClusterOptions. */
    extraArgs?: CreateClusterOptions["extraArgs"];
    signal?: AbortSignal;
  } = {},
): Promise<StartedTestCluster> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-cluster-"));
  const name = opts.name ?? `test-${randomBytes(3).toString("hex")}`;
  try {
    const state = await createCluster({
      name,
      dir,
      nodes: opts.nodes ?? 1,
      ownerPid: process.pid,
      // Under `node --test` the parent is the runner: if it is killed, this process may hang on.
      runnerPid: process.ppid,
      ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { kubeconfig: state.kubeconfig, dir, stop: async () => void (await deleteClusterDir(dir)) };
  } catch (err) {
    await deleteClusterDir(dir).catch(() => {});
    // A start that failed before writing cluster.json (a missing tool) leaves only the empty folder.
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The shared test cluster (FERRY_TEST_KUBECONFIG), or a private one when the variable is not set. */
export async function testCluster(
  opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<TestCluster> {
  const shared = (opts.env ?? process.env).FERRY_TEST_KUBECONFIG;
  const started = shared ? undefined : await startTestCluster(opts.signal ? { signal: opts.signal } : {});
  const kubeconfig = shared ?? started!.kubeconfig;
  const c = await readKubeconfigConnection(kubeconfig);
  return {
    kubeconfig,
    server: c.server,
    conn: { server: c.server, ca: c.caPem, cert: c.certPem, key: c.keyPem },
    release: async () => {
      if (started) await started.stop();
    },
  };
}

/**
 * Creates a namespace named `<prefix>-<random>` and returns its name and a `dispose()` that deletes it
 * (without waiting for the namespace controller to finish).
 */
export async function createTestNamespace(
  cluster: Pick<TestCluster, "conn">,
  prefix = "test",
  signal?: AbortSignal,
): Promise<{ name: string; dispose: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  const sig = signal ? { signal } : {};
  const res = await apiRequest(cluster.conn, "POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
    ...sig,
  });
  if (res.status !== 201) {
    throw new ClusterError(name, `creating test namespace ${name} failed (HTTP ${res.status}): ${res.body}`);
  }
  await waitForDefaultServiceAccount(cluster, name, signal);
  return {
    name,
    dispose: async () => {
      await apiRequest(cluster.conn, "DELETE", `/api/v1/namespaces/${name}`, sig);
    },
  };
}

/**
 * Pods are refused until the namespace's `default` ServiceAccount exists, and the ReplicaSet controller
 * backs off exponentially on each refusal: under load a Deployment created right after its namespace can
 * then wait minutes for a retry. Tests start once the controller manager has created that account.
 */
async function waitForDefaultServiceAccount(
  cluster: Pick<TestCluster, "conn">,
  namespace: string,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  const sig = signal ? { signal } : {};
  for (;;) {
    const res = await apiRequest(
      cluster.conn,
      "GET",
      `/api/v1/namespaces/${namespace}/serviceaccounts/default`,
      sig,
    );
    if (res.status === 200) return;
    if (Date.now() > deadline) {
      throw new ClusterError(
        namespace,
        `the default ServiceAccount of test namespace ${namespace} did not appear within 60 s (HTTP ${res.status}); check the controller manager's log`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
    signal?.throwIfAborted();
  }
}

/**
 * `err` with a picture of the namespace's workloads and the nodes appended (see describeWorkloads), and
 * where the cluster's component logs are: for a test that waited for workloads in vain.
 */
export async function withWorkloads(
  cluster: Pick<TestCluster, "conn" | "kubeconfig">,
  namespace: string,
  err: unknown,
): Promise<Error> {
  const picture = await describeWorkloads(cluster.conn, namespace).catch((e: unknown) => `(${String(e)})`);
  const logs = join(dirname(cluster.kubeconfig), "logs");
  const message = `${err instanceof Error ? err.message : String(err)}\n${picture}\ncomponent logs: ${logs} (the shared cluster's are kept at teardown, see test/global-setup.ts)`;
  return Object.assign(new Error(message, { cause: err }), {
    name: err instanceof Error ? err.name : "Error",
  });
}
