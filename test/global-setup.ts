/**
 * Global test setup: starts the real parts the suites share — one CNCF distribution registry and one local
 * Kubernetes control plane on 127.0.0.1 — once per `npm test`, and passes their addresses to every test
 * file through environment variables (FERRY_TEST_*). Each test uses its own repository names and
 * namespaces, so sharing is safe. Teardown stops everything and removes the temporary folders.
 */
import { randomBytes } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import { keepLogs, logDigest } from "../src/dev/logs.ts";
import { startRegistry } from "../src/dev/registry.ts";
import { startTestCluster } from "../src/dev/testing.ts";

const stops: Array<() => Promise<void>> = [];

/**
 * Cluster part (src/dev): one control plane + 2 kwok nodes; tests create and delete their own namespaces.
 * The controller manager and scheduler log at --v=2 (node status changes, scheduling attempts, controller
 * sync errors), and teardown keeps the component logs of the last 5 runs in ~/.cache/ferry/test-logs
 * (FERRY_TEST_LOGS_DIR moves it) and prints where; under CI it also prints a digest of their warnings.
 */
async function setupCluster(): Promise<void> {
  const cluster = await startTestCluster({
    name: "ferry-test",
    nodes: 2,
    extraArgs: { "kube-controller-manager": ["--v=2"], "kube-scheduler": ["--v=2"] },
  });
  stops.push(async () => {
    try {
      const root = process.env.FERRY_TEST_LOGS_DIR || join(homedir(), ".cache", "ferry", "test-logs");
      const kept = await keepLogs(cluster.dir, { root, name: "ferry-test", keep: 5 });
      process.stderr.write(`shared test cluster: component logs kept in ${kept}\n`);
      if (process.env.CI) process.stderr.write(`${await logDigest(kept)}\n`);
    } finally {
      await cluster.stop();
    }
  });
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
