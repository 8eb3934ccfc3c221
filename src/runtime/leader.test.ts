/** Two managers on one Lease: only the leader runs its controllers; on the leader's shutdown the other takes over. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeConfig } from "../kube/config.ts";
import { getObject } from "../kube/rest.ts";
import { pollUntil } from "./controller.ts";
import { LeaderElector } from "./leader.ts";
import { Manager } from "./manager.ts";

let cluster: TestCluster;
let client: KubeClient;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
});

after(async () => {
  client?.close();
  await cluster?.release();
});

test("only the leader acts; releasing the lease on shutdown hands over to the other manager", async () => {
  const ns = await createTestNamespace(cluster, "leader", signal);
  const acting = new Set<string>();
  let overlap = false;
  const make = (identity: string) => {
    const m = new Manager({
      leaderElection: {
        client,
        namespace: ns.name,
        name: "ferry-agent",
        identity,
        leaseDurationMs: 8000,
        renewDeadlineMs: 6000,
        retryPeriodMs: 300,
      },
    });
    let followerRan = false;
    m.add({
      name: "informers",
      needLeaderElection: false,
      start: async (s) => {
        followerRan = true;
        await new Promise((r) => s.addEventListener("abort", r, { once: true }));
      },
    });
    m.add({
      name: "controller",
      start: async (s) => {
        acting.add(identity);
        if (acting.size > 1) overlap = true;
        await new Promise((r) => s.addEventListener("abort", r, { once: true }));
        acting.delete(identity);
      },
    });
    return { m, followerRan: () => followerRan };
  };
  const a = make("agent-a");
  const b = make("agent-b");
  const acA = new AbortController();
  const acB = new AbortController();
  try {
    const runA = a.m.start(acA.signal);
    await pollUntil(() => acting.has("agent-a"), { signal });
    const runB = b.m.start(acB.signal);
    await pollUntil(() => b.followerRan(), { signal });
    // b keeps trying for several retry periods and must not act while a renews.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual([...acting], ["agent-a"]);
    }
    assert.equal(b.m.isLeader(), false);
    const lease = await getObject(
      client,
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "ferry-agent", namespace: ns.name },
      },
      { signal },
    );
    assert.equal((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, "agent-a");
    acA.abort();
    await runA;
    await pollUntil(() => acting.has("agent-b"), { signal });
    assert.equal(overlap, false, "never two leaders at once");
    acB.abort();
    await runB;
  } finally {
    acA.abort();
    acB.abort();
    await ns.dispose();
  }
});

test("a crashed leader (no renewals, no release) is replaced once its lease expires", async () => {
  const ns = await createTestNamespace(cluster, "expiry", signal);
  try {
    const common = {
      client,
      namespace: ns.name,
      name: "ferry-agent",
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 200,
    };
    const crashed = new LeaderElector({ ...common, identity: "crashed" });
    assert.equal(await crashed.tryAcquireOrRenew(signal), true);
    const next = new LeaderElector({ ...common, identity: "next" });
    assert.equal(await next.tryAcquireOrRenew(signal), false, "the lease is still valid");
    await next.acquire(signal);
    assert.equal(next.isLeader(), true);
    const lease = await getObject(
      client,
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "ferry-agent", namespace: ns.name },
      },
      { signal },
    );
    const spec = lease?.spec as { holderIdentity?: string; leaseTransitions?: number } | undefined;
    assert.equal(spec?.holderIdentity, "next");
    assert.equal(spec?.leaseTransitions, 1);
    await assert.rejects(crashed.holdLeadership(signal), /leadership lost/);
    await next.release(signal);
  } finally {
    await ns.dispose();
  }
});
