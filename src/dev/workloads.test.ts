import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { type ApiConnection, apiRequest } from "./api.ts";
import { NODE_LEASE_SECONDS } from "./components.ts";
import { describeWorkloads } from "./describe.ts";
import { createTestNamespace, type TestCluster, testCluster } from "./testing.ts";

// Runs against the shared test cluster (FERRY_TEST_KUBECONFIG), or a private one when run alone.
let cluster: TestCluster;
before(async () => {
  cluster = await testCluster();
});
after(async () => {
  await cluster?.release();
});

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await sleep(200);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function getJson<T>(conn: ApiConnection, path: string): Promise<T | undefined> {
  const res = await apiRequest(conn, "GET", path);
  return res.status === 200 ? (JSON.parse(res.body) as T) : undefined;
}

const SELF_REVIEW = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

interface Condition {
  type: string;
  status: string;
}

test("a Deployment becomes Available and its Pods are scheduled on kwok nodes and Running", async (t) => {
  const ns = await createTestNamespace(cluster, "dev-deploy");
  t.after(ns.dispose);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const apps = kc.makeApiClient(AppsV1Api);
  const labels = { app: "web" };
  await apps.createNamespacedDeployment({
    namespace: ns.name,
    body: {
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "web", image: "registry.example/web:1" }] },
        },
      },
    },
  });
  const dep = await until("Deployment web to be Available", async () => {
    const d = await apps.readNamespacedDeploymentStatus({ name: "web", namespace: ns.name });
    const available = d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True");
    return available && d.status?.availableReplicas === 2 ? d : undefined;
  });
  assert.equal(dep.status?.readyReplicas, 2);

  interface PodList {
    items: Array<{ spec: { nodeName?: string }; status: { phase?: string; conditions?: Condition[] } }>;
  }
  const pods = await until("2 Running pods", async () => {
    const list = await getJson<PodList>(
      cluster.conn,
      `/api/v1/namespaces/${ns.name}/pods?labelSelector=app%3Dweb`,
    );
    const running = list?.items.filter((p) => p.status.phase === "Running");
    return running?.length === 2 ? running : undefined;
  });
  for (const p of pods) {
    assert.match(p.spec.nodeName ?? "", /^kwok-node-\d+$/);
    assert.ok(p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  }

  const picture = await describeWorkloads(cluster.conn, ns.name);
  assert.match(picture, /deployment web: replicas 2, updated 2, ready 2, available 2; .*Available=True/);
  assert.match(picture, /pod web-\S+: node kwok-node-\d, Running; .*Ready=True/);
  assert.match(picture, /node kwok-node-0: Ready=True, taints none, lease held/);
});

test("kwok renews a heartbeat Lease for every node, so the controller manager never finds a node silent", async () => {
  // Without leases the controller manager marked every node NotReady each ~55 s and every Pod on it not
  // Ready, for good (see kwokArgs): Deployments of other tests lost their availability at random.
  interface Lease {
    spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
  }
  interface NodeList {
    items: Array<{ metadata: { name: string }; spec: { taints?: Array<{ key: string }> } }>;
  }
  const nodes = await until("the node list", () => getJson<NodeList>(cluster.conn, "/api/v1/nodes"));
  assert.ok(nodes.items.length > 0);
  // Renewals come every quarter of the lease duration; wait for one on every node at once.
  await Promise.all(
    nodes.items.map(async (n) => {
      const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.metadata.name}`;
      const first = await until(`the lease of ${n.metadata.name}`, () => getJson<Lease>(cluster.conn, path));
      assert.ok(first.spec.holderIdentity, "held by kwok");
      assert.equal(first.spec.leaseDurationSeconds, NODE_LEASE_SECONDS);
      await until(`a renewal of the lease of ${n.metadata.name}`, async () => {
        const l = await getJson<Lease>(cluster.conn, path);
        return l?.spec.renewTime !== first.spec.renewTime ? l : undefined;
      });
      assert.deepEqual(n.spec.taints ?? [], [], `${n.metadata.name} is not tainted unreachable or not-ready`);
    }),
  );
});

test("a ServiceAccount gets a signed token the API server accepts, and namespaces get the root CA", async (t) => {
  const ns = await createTestNamespace(cluster, "dev-sa");
  t.after(ns.dispose);
  // The controller manager's service-account controller creates "default" in every new namespace.
  await until("the default ServiceAccount", () =>
    getJson(cluster.conn, `/api/v1/namespaces/${ns.name}/serviceaccounts/default`),
  );
  const res = await apiRequest(
    cluster.conn,
    "POST",
    `/api/v1/namespaces/${ns.name}/serviceaccounts/default/token`,
    {
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      },
    },
  );
  assert.equal(res.status, 201, res.body);
  const token = (JSON.parse(res.body) as { status: { token: string } }).status.token;
  assert.equal(token.split(".").length, 3);

  // Authenticate with the token alone (no client certificate).
  const review = await apiRequest(
    { server: cluster.server, ca: cluster.conn.ca, token },
    "POST",
    SELF_REVIEW,
    {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    },
  );
  assert.equal(review.status, 201, review.body);
  const user = (JSON.parse(review.body) as { status: { userInfo: { username: string } } }).status.userInfo;
  assert.equal(user.username, `system:serviceaccount:${ns.name}:default`);

  const cm = await until("the kube-root-ca.crt ConfigMap", () =>
    getJson<{ data: Record<string, string> }>(
      cluster.conn,
      `/api/v1/namespaces/${ns.name}/configmaps/kube-root-ca.crt`,
    ),
  );
  assert.equal(cm.data["ca.crt"]?.trim(), cluster.conn.ca.trim());
});
