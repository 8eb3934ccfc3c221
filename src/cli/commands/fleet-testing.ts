// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
/**
 * Test-only fixture of fleet.test.ts: the shared cluster with an in-process agent reconciling one namespace
 * from an artifact in the shared registry, one extra cluster (first without CRDs, then with objects and
 * status written as the agent writes them, and a failing Kustomization), a kubeconfig whose port refuses
 * connections, one whose socket never answers, and a fleet file naming three of them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installCRDs } from "../../agent/index.ts";
import {
  type AgentHarness,
  cond,
  kustomization,
  startAgent,
  waitForKs,
} from "../../controllers/kustomization/testing.ts";
import { apply, ociRepository, pushFiles } from "../../controllers/ocirepository/testing.ts";
import {
  type StartedTestCluster,
  startTestCluster,
  type TestCluster,
  testCluster,
} from "../../dev/testing.ts";
import { toolPath } from "../../dev/tools.ts";
import { KubeClient, loadKubeConfig } from "../../kube/index.ts";
import { OciClient, parseReference } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { tagArtifact } from "../../publish/index.ts";
import { applyStatus } from "../../runtime/index.ts";
import { runCli } from "../testing.ts";

export interface FleetFixture {
  shared: TestCluster;
  extra: StartedTestCluster;
  regs: SharedRegistries;
  /** Admin client of the shared cluster. */
  kube: KubeClient;
  /** Admin client of the extra cluster. */
  extraKube: KubeClient;
  /** Temporary folder: kubeconfigs of the dead and hung clusters, the fleet file, HOME of the CLI runs. */
  dir: string;
  /** The agent's namespace on the shared cluster, also created on the extra one. */
  ns: string;
  /** `host/repo` of the test artifact: v1.0.0 (= latest-stable), v1.1.0, v1.2.0 (does not build). */
  repo: string;
  v1: string;
  v11: string;
  /** Environment of the CLI runs. */
  env: Record<string, string>;
  /** Clusters shared, extra and dead (a refused port); `hung.yaml` in `dir` never answers. */
  fleetFile: string;
  /** `ferry fleet status` of the extra cluster before its CRDs were installed. */
  beforeCRDs: { code: number; stdout: string };
  stop(): Promise<void>;
}

/** What the fixture has started so far, stopped in reverse by `stop` (also after a failed start). */
interface Parts {
  shared?: TestCluster;
  extra?: StartedTestCluster;
  regs?: SharedRegistries;
  harness?: AgentHarness;
  kube?: KubeClient;
  extraKube?: KubeClient;
  dir?: string;
  hung?: Server;
  sockets: Set<Socket>;
}

async function stopParts(p: Parts): Promise<void> {
  for (const s of p.sockets) s.destroy();
  const hung = p.hung;
  if (hung) await new Promise<void>((r) => hung.close(() => r()));
  await p.harness?.stop();
  p.kube?.close();
  p.extraKube?.close();
  await p.extra?.stop();
  await p.regs?.stop();
  await p.shared?.release();
  if (p.dir) await rm(p.dir, { recursive: true, force: true });
}

const configMap = (name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join("")}`;

const ksSpec = (ns: string) => ({
  path: "./deploy",
  sourceRef: { kind: "OCIRepository", name: "app" },
  targetNamespace: ns,
  postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] },
});

function kubeconfigFor(server: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `  - name: c\n    cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    "users:",
    "  - name: u\n    user: { token: t }",
    "contexts:",
    "  - name: c\n    context: { cluster: c, user: u }",
    "current-context: c",
    "",
  ].join("\n");
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const condition = (status: string, reason: string, message: string) => ({
  type: "Ready",
  status,
  reason,
  message,
  lastTransitionTime: "2026-11-25T02:00:00Z",
  observedGeneration: 1,
});

/**
 * A namespace with the `vars` ConfigMap, the OCIRepository `app` following `repo:latest-stable` and the
 * Kustomization `app` (plus `ksExtra` in its spec), both with the status the agent writes after applying v1.
 */
export async function seedTenant(
  extraKube: KubeClient,
  ns: string,
  repo: string,
  v1: string,
  signal: AbortSignal,
  ksExtra: Record<string, unknown> = {},
): Promise<void> {
  await apply(extraKube, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, signal);
  await apply(
    extraKube,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "vars", namespace: ns },
      data: { GREETING: "hi" },
    },
    signal,
  );
  const src = await apply(
    extraKube,
    ociRepository(ns, "app", { url: `oci://${repo}`, ref: { tag: "latest-stable" } }),
    signal,
  );
  await applyStatus(
    extraKube,
    src,
    {
      conditions: [condition("True", "Succeeded", `stored artifact for revision 'latest-stable@${v1}'`)],
      artifact: {
        revision: `latest-stable@${v1}`,
        digest: `sha256:${"0".repeat(64)}`,
        path: "x/artifact.tar.gz",
        url: "file:///x",
        lastUpdateTime: "2026-11-25T02:00:00Z",
      },
    },
    { signal, fieldManager: "ferry-test" },
  );
  const app = await apply(extraKube, kustomization(ns, "app", { ...ksSpec(ns), ...ksExtra }), signal);
  await applyStatus(
    extraKube,
    app,
    {
      conditions: [condition("True", "ReconciliationSucceeded", `Applied revision: latest-stable@${v1}`)],
      lastAppliedRevision: `latest-stable@${v1}`,
    },
    { signal, fieldManager: "ferry-test" },
  );
}

/** The extra cluster: the agent's tenant as on the shared cluster, a FluxInstance and a failing Kustomization. */
async function seedExtra(
  extraKube: KubeClient,
  ns: string,
  repo: string,
  v1: string,
  signal: AbortSignal,
): Promise<void> {
  await seedTenant(extraKube, ns, repo, v1, signal);
  const instance = await apply(
    extraKube,
    {
      apiVersion: "fluxcd.controlplane.io/v1",
      kind: "FluxInstance",
      metadata: { name: "flux", namespace: ns },
      spec: {
        distribution: { version: "2.x", registry: "ghcr.io/fluxcd" },
        sync: {
          kind: "OCIRepository",
          name: "app",
          url: `oci://${repo}`,
          ref: "latest-stable",
          path: "clusters/extra",
        },
      },
    },
    signal,
  );
  await applyStatus(
    extraKube,
    instance,
    {
      conditions: [condition("True", "ReconciliationSucceeded", `Reconciliation finished in 1s`)],
      lastAppliedRevision: `latest-stable@${v1}`,
    },
    { signal, fieldManager: "ferry-test" },
  );
  const broken = await apply(
    extraKube,
    kustomization(ns, "broken", { ...ksSpec(ns), sourceRef: { kind: "OCIRepository", name: "gone" } }),
    signal,
  );
  await applyStatus(
    extraKube,
    broken,
    {
      conditions: [
        condition("False", "ArtifactFailed", "Source 'OCIRepository/x/gone' not found\nsecond line"),
      ],
    },
    { signal, fieldManager: "ferry-test" },
  );
}

/** Starts everything the fleet CLI test needs; `stop` undoes it. */
export async function startFleetFixture(signal: AbortSignal): Promise<FleetFixture> {
  const p: Parts = { sockets: new Set() };
  try {
    return await start(p, signal);
  } catch (err) {
    await stopParts(p).catch(() => {});
    throw err;
  }
}

async function start(p: Parts, signal: AbortSignal): Promise<FleetFixture> {
  const shared = await testCluster({ signal });
  p.shared = shared;
  const regs = await sharedRegistries();
  p.regs = regs;
  const kube = new KubeClient(loadKubeConfig({ path: shared.kubeconfig }));
  p.kube = kube;
  await installCRDs(kube, { signal });
  const extra = await startTestCluster({ name: "fleet-extra", signal });
  p.extra = extra;
  const extraKube = new KubeClient(loadKubeConfig({ path: extra.kubeconfig }));
  p.extraKube = extraKube;
  const dir = await mkdtemp(join(tmpdir(), "ferry-fleet-cli-"));
  p.dir = dir;
  const env = { HOME: dir, FERRY_KUSTOMIZE: toolPath("kustomize") };
  const beforeCRDs = await runCli(["fleet", "status", "--kubeconfig", extra.kubeconfig], { env });
  await installCRDs(extraKube, { signal });

  // A refused port and a socket that accepts and never answers.
  await writeFile(join(dir, "dead.yaml"), kubeconfigFor(`https://127.0.0.1:${await freePort()}`));
  const hung = createServer((s) => {
    p.sockets.add(s);
    s.on("close", () => p.sockets.delete(s));
  });
  p.hung = hung;
  await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
  await writeFile(
    join(dir, "hung.yaml"),
    kubeconfigFor(`https://127.0.0.1:${(hung.address() as { port: number }).port}`),
  );
  const fleetFile = join(dir, "ferry-fleet.yaml");
  await writeFile(
    fleetFile,
    [
      "clusters:",
      `  - { name: shared, kubeconfig: ${shared.kubeconfig}, labels: { env: staging } }`,
      `  - { name: extra, kubeconfig: ${extra.kubeconfig}, labels: { env: production } }`,
      "  - { name: dead, kubeconfig: dead.yaml, labels: { env: production } }",
      "",
    ].join("\n"),
  );

  const repo = `${regs.open}/${uniqueRepo("fleet")}`;
  const oci = new OciClient();
  const v1 = await pushFiles(
    oci,
    `${repo}:v1.0.0`,
    {
      "deploy/settings.yaml": configMap("settings", { value: "one", greeting: "${GREETING}" }),
      "deploy/old.yaml": configMap("old", { a: "b" }),
    },
    signal,
  );
  await tagArtifact(oci, parseReference(`${repo}:v1.0.0`), ["latest-stable"], { signal });
  const v11 = await pushFiles(
    oci,
    `${repo}:v1.1.0`,
    {
      "deploy/settings.yaml": configMap("settings", { value: "two", greeting: "${GREETING}" }),
      "deploy/new.yaml": configMap("new", { c: "d" }),
    },
    signal,
  );
  await pushFiles(
    oci,
    `${repo}:v1.2.0`,
    { "deploy/kustomization.yaml": "resources:\n  - missing.yaml\n" },
    signal,
  );

  const harness = await startAgent(shared, "fleet", signal);
  p.harness = harness;
  const ns = harness.namespace;
  await apply(
    kube,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "vars", namespace: ns },
      data: { GREETING: "hello" },
    },
    signal,
  );
  await apply(
    kube,
    ociRepository(ns, "app", { url: `oci://${repo}`, ref: { tag: "latest-stable" } }),
    signal,
  );
  await apply(kube, kustomization(ns, "app", ksSpec(ns)), signal);
  await waitForKs(
    kube,
    ns,
    "app",
    (s) => cond(s).status === "True" && s.lastAppliedRevision === `latest-stable@${v1}`,
    signal,
  );
  await seedExtra(extraKube, ns, repo, v1, signal);
  return {
    shared,
    extra,
    regs,
    kube,
    extraKube,
    dir,
    ns,
    repo,
    v1,
    v11,
    env,
    fleetFile,
    beforeCRDs,
    stop: () => stopParts(p),
  };
}
