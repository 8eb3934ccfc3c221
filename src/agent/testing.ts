/**
 * Test helper shared by the controllers' tests: an agent reconciling one fresh namespace of a test
 * cluster, with its own artifact store. `stop` deletes the listed kinds while the agent still runs (so it
 * releases their finalizers and the namespace can go), then stops the agent and removes namespace and store.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestNamespace, type TestCluster } from "../dev/testing.ts";
import { deleteObject, type KubeClient, listObjects } from "../kube/index.ts";
import { Agent, type AgentOptions } from "./agent.ts";

export interface TestAgent {
  namespace: string;
  agent: Agent;
  storeDir: string;
  stop(): Promise<void>;
}

export interface TestAgentOptions {
  /** `[apiVersion, kind]` of the objects with finalizers, deleted in this order before the agent stops. */
  finalized: ReadonlyArray<readonly [string, string]>;
  /** Agent options over the defaults (namespace and store are the helper's; concurrency 2). */
  agent?: Partial<AgentOptions>;
  /** How long each kind may take to be gone. */
  deleteTimeoutMs: number;
}

export async function startTestAgent(
  cluster: TestCluster,
  prefix: string,
  signal: AbortSignal,
  opts: TestAgentOptions,
): Promise<TestAgent> {
  const ns = await createTestNamespace(cluster, prefix, signal);
  const storeDir = await mkdtemp(join(tmpdir(), "ferry-agent-store-"));
  const agent = new Agent({
    kubeconfig: cluster.kubeconfig,
    namespace: ns.name,
    storeDir,
    concurrency: 2,
    ...opts.agent,
  });
  const ac = new AbortController();
  const running = agent.start(AbortSignal.any([ac.signal, signal])).catch((err: unknown) => err);
  return {
    namespace: ns.name,
    agent,
    storeDir,
    stop: async () => {
      for (const [apiVersion, kind] of opts.finalized) {
        await deleteAllAndWait(agent.kube, ns.name, apiVersion, kind, signal, opts.deleteTimeoutMs).catch(
          () => {},
        );
      }
      ac.abort();
      const err = await running;
      await ns.dispose().catch(() => {});
      await rm(storeDir, { recursive: true, force: true });
      if (err instanceof Error) throw err;
    },
  };
}

/** Deletes every object of a kind in the namespace and waits (at most `timeoutMs`) until none is left. */
export async function deleteAllAndWait(
  kube: KubeClient,
  namespace: string,
  apiVersion: string,
  kind: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const list = await listObjects(kube, apiVersion, kind, { signal, namespace });
  for (const o of list.items) await deleteObject(kube, o, { signal });
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  while (!deadline.aborted) {
    const left = await listObjects(kube, apiVersion, kind, { signal, namespace });
    if (left.items.length === 0) return;
    await sleep(100);
  }
}
