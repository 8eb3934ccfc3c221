/**
 * Global test setup: starts the real parts the suites share — one CNCF distribution registry and one local
 * Kubernetes control plane on 127.0.0.1 — once per `npm test`, and passes their addresses to every test
 * file through environment variables (FERRY_TEST_*). Each test uses its own repository names and
 * namespaces, so sharing is safe. Teardown stops everything and removes the temporary folders.
 */
import { randomBytes } from "node:crypto";
import { startRegistry } from "../src/dev/registry.ts";
import { startTestCluster } from "../src/dev/testing.ts";

const stops: Array<() => Promise<void>> = [];

/** Cluster part (src/dev): one control plane + 2 kwok nodes; tests create and delete their own namespaces. */
async function setupCluster(): Promise<void> {
  const cluster = await startTestCluster({ name: "ferry-test", nodes: 2 });
  stops.push(cluster.stop);
  process.env.FERRY_TEST_KUBECONFIG = cluster.kubeconfig;
}

/** Registry part: one registry without auth, one behind htpasswd basic auth (random password per run). */
async function setupRegistries(): Promise<void> {
  const open = await startRegistry();
  stops.push(open.stop);
  const user = "ferry";
  const password = randomBytes(12).toString("hex");
  const authed = await startRegistry({ auth: { username: user, password } });
  stops.push(authed.stop);
  process.env.FERRY_TEST_REGISTRY = open.host;
  process.env.FERRY_TEST_REGISTRY_AUTH = authed.host;
  process.env.FERRY_TEST_REGISTRY_USER = user;
  process.env.FERRY_TEST_REGISTRY_PASSWORD = password;
}

export async function globalSetup(): Promise<void> {
  // Parts register here as they are built (registry, cluster).
  await setupRegistries();
  await setupCluster();
}

export async function globalTeardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
