/**
 * Global test setup: starts the real parts the suites share — one CNCF distribution registry and one local
 * Kubernetes control plane on 127.0.0.1 — once per `npm test`, and passes their addresses to every test
 * file through environment variables (FERRY_TEST_*). Each test uses its own repository names and
 * namespaces, so sharing is safe. Teardown stops everything and removes the temporary folders.
 */

const stops: Array<() => Promise<void>> = [];

export async function globalSetup(): Promise<void> {
  // Parts register here as they are built (registry, cluster).
}

export async function globalTeardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
