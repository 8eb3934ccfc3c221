/**
 * The D2 scenarios end to end, on one local fleet started once (`devUp` into a temp folder: its own
 * registry, clusters staging and production, the example fleet signed and bootstrapped with local agents)
 * and a local Sigstore for keyless signatures. Subtests run in order, each starting from the state the
 * previous one left: staging from `latest`; keyless identities (production takes only release tags) with
 * promotion and rollback of `latest-stable`; a main-branch signature refused in production and accepted in
 * staging; a tenant removed from the fleet pruned; drift repaired; the registry down, the API server
 * restarted mid-apply and broken commits, each recovered without partial apply or prune; `dev up` again
 * changes nothing and `dev down` leaves no process.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../cli/testing.ts";
import { isRunning } from "../dev/processes.ts";
import {
  applyObject,
  deleteObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
  mergePatchObject,
} from "../kube/index.ts";
import { OCI_REPOSITORY, requestReconcile } from "../ops/index.ts";
import { loadPrivateKey } from "../sign/index.ts";
import { startTestSigstore } from "../sign/testing-sigstore.ts";
import { agentRunning, readAgentState } from "./agent-process.ts";
import { DEV_KEY_PASSWORD, devDown, devUp } from "./dev.ts";
import {
  conditionOf,
  copyExamples,
  describeFlux,
  editFile,
  type FleetSigner,
  GITHUB_ISSUER,
  keepLogs,
  live,
  MAIN_IDENTITY,
  publishRevision,
  releaseIdentity,
  removeCopy,
  restartApiServer,
  specOf,
  startRegistryProcess,
  statusOf,
  stopRegistryProcess,
  until,
} from "./testing.ts";

type Env = "staging" | "production";
const ENVS: readonly Env[] = ["staging", "production"];
const CHANNEL: Record<Env, string> = { staging: "latest", production: "latest-stable" };

/** Every pid recorded under the dev folder (registry, cluster components) with its binary. */
async function recordedProcesses(dir: string): Promise<Array<{ pid: number; bin: string }>> {
  const out: Array<{ pid: number; bin: string }> = [];
  out.push(JSON.parse(await readFile(join(dir, "registry", "registry.json"), "utf8")));
  for (const name of ENVS) {
    const state = JSON.parse(await readFile(join(dir, "clusters", name, "cluster.json"), "utf8")) as {
      processes: Record<string, { pid: number; bin: string }>;
    };
    out.push(...Object.values(state.processes));
  }
  return out;
}

/**
 * The keyless verification patch D2's flux-instance.yaml carries (with the trusted root of the local
 * Sigstore), and a short retry interval for the sync Kustomization.
 */
function instancePatches(subject: string): string {
  return [
    "  kustomize:",
    "    patches:",
    "      - target:",
    "          kind: OCIRepository",
    "          name: flux-system",
    "        patch: |",
    "          - op: add",
    "            path: /spec/verify",
    "            value:",
    "              provider: cosign",
    "              trustedRootSecretRef:",
    "                name: sigstore-root",
    "              matchOIDCIdentity:",
    String.raw`                - issuer: ^https://token\.actions\.githubusercontent\.com$`,
    `                  subject: ${subject}`,
    // Short retries of the sync (the generated one has interval 10m0s and no retryInterval).
    "      - target:",
    "          kind: Kustomization",
    "          name: flux-system",
    "        patch: |",
    "          - op: add",
    "            path: /spec/retryInterval",
    "            value: 10s",
    "",
  ].join("\n");
}

const SUBJECT: Record<Env, string> = {
  // D2 production: only the release workflow at a tag.
  production: String.raw`^https://github\.com/ferry/.*/release-artifact\.yaml@refs/tags/.*$`,
  // Staging: main-branch builds (and releases).
  staging: String.raw`^https://github\.com/ferry/examples/\.github/workflows/(push-artifact\.yaml@refs/heads/main|release-artifact\.yaml@refs/tags/.*)$`,
};

const configMap = (name: string, data: Record<string, string>, label?: string) =>
  [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    "  namespace: flux-system",
    ...(label ? ["  labels:", `    ${label}: "true"`] : []),
    "data:",
    ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`),
    "",
  ].join("\n");

test("D2 scenarios on a local fleet: staging, keyless promotion and rollback, tenant removal, drift, faults", async (t) => {
  // Under the test timeout (600 s), with room for a loaded machine (about 3 minutes alone).
  const signal = AbortSignal.timeout(570_000);
  const root = await mkdtemp(join(tmpdir(), "ferry-scenarios-"));
  const dir = join(root, "dev");
  const sigstore = await startTestSigstore();
  const clients: KubeClient[] = [];
  let fleetCopy: string | undefined;
  t.after(async () => {
    for (const c of clients) c.close();
    await sigstore.stop();
    await devDown({ dir }).catch(() => {});
    if (fleetCopy) await removeCopy(fleetCopy);
    await rm(root, { recursive: true, force: true });
  });
  const env = { ...process.env, FERRY_DEV_DIR: dir };
  const wait = { signal, timeoutMs: 120_000 };

  // The fleet, through the library, with an owner watchdog on the clusters (and their agents) in case this
  // process dies.
  const up = await devUp({ dir, ownerPid: process.pid, timeoutMs: 240_000, signal });
  const prefix = `${up.registry}/ferry`;
  const fleetRepo = `${prefix}/fleet`;
  const kubeconfig = Object.fromEntries(up.clusters.map((c) => [c.cluster, c.kubeconfig])) as Record<
    Env,
    string
  >;
  const kube = {} as Record<Env, KubeClient>;
  for (const e of ENVS) {
    kube[e] = new KubeClient(loadKubeConfig({ path: kubeconfig[e] }), { userAgent: "ferry-scenarios" });
    clients.push(kube[e]);
  }
  const get = (e: Env, kind: string, ns: string, name: string) => live(kube[e], kind, ns, name, signal);
  const syncSource = (e: Env) => get(e, "OCIRepository", "flux-system", "flux-system");
  const syncKs = (e: Env) => get(e, "Kustomization", "flux-system", "flux-system");
  const release = async (e: Env) =>
    ((await get(e, "ConfigMap", "flux-system", "fleet-release"))?.data as Record<string, string> | undefined)
      ?.version;
  const poke = async (e: Env, namespace = "flux-system", name = namespace) =>
    void (await requestReconcile(kube[e], OCI_REPOSITORY, namespace, name, { signal }));
  const keyless = (subject: string): FleetSigner => ({
    kind: "keyless",
    subject,
    fulcioURL: sigstore.fulcioURL,
    rekorURL: sigstore.rekorURL,
  });

  /** Waits until `e` applied `CHANNEL@digest` (source Ready and verified as asked, marker `version`). */
  const converged = async (e: Env, digest: string, version: string, verified: boolean) => {
    const revision = `${CHANNEL[e]}@${digest}`;
    await until(
      `${e} to apply ${revision} (${version})`,
      async () => {
        const src = await syncSource(e);
        const ks = await syncKs(e);
        const srcState = `source: ${describeFlux(src)}; sync: ${describeFlux(ks)}`;
        if (conditionOf(src, "Ready")?.status !== "True") return srcState;
        if (
          src?.metadata.generation !== (statusOf(src) as { observedGeneration?: number }).observedGeneration
        )
          return srcState;
        if (verified && conditionOf(src, "SourceVerified")?.status !== "True") return srcState;
        if ((statusOf(src) as { artifact?: { revision?: string } }).artifact?.revision !== revision)
          return srcState;
        const s = (ks?.status ?? {}) as { lastAppliedRevision?: string };
        if (s.lastAppliedRevision !== revision || conditionOf(ks, "Ready")?.status !== "True")
          return srcState;
        const v = await release(e);
        return v === version ? true : `fleet-release version ${v}`;
      },
      wait,
    );
  };

  await t.test(
    "dev up: staging follows latest, production latest-stable; tenants Ready; idempotent",
    async () => {
      assert.deepEqual(
        up.clusters.map((c) => [c.cluster, c.ready, c.tenants.join(",")]),
        [
          ["staging", true, "podinfo/podinfo,redis/redis"],
          ["production", true, "podinfo/podinfo,redis/redis"],
        ],
      );
      for (const e of ENVS) {
        assert.match(
          up.clusters.find((c) => c.cluster === e)?.revision ?? "",
          new RegExp(`^${CHANNEL[e]}@sha256:`),
        );
        // Each tenant's OCIRepository pulled its component at the environment's tag, verified with the key.
        for (const tenant of ["podinfo", "redis"]) {
          const src = await get(e, "OCIRepository", tenant, tenant);
          assert.equal(conditionOf(src, "Ready")?.status, "True", describeFlux(src));
          assert.equal(conditionOf(src, "SourceVerified")?.status, "True", describeFlux(src));
          assert.match(
            (statusOf(src) as { artifact?: { revision?: string } }).artifact?.revision ?? "",
            new RegExp(`^${CHANNEL[e]}@sha256:`),
          );
          const ks = await get(e, "Kustomization", tenant, tenant);
          assert.equal((specOf(ks) as { path?: string }).path, `./${e}`);
          assert.ok(await get(e, "Deployment", tenant, tenant), `${e}: Deployment ${tenant}/${tenant}`);
        }
        const rs = await get(e, "ResourceSet", "flux-system", "apps");
        assert.equal(conditionOf(rs, "Ready")?.status, "True", describeFlux(rs));
      }
      // The overlays differ: production's podinfo has an HPA and 3 replicas, staging's neither.
      assert.ok(await get("production", "HorizontalPodAutoscaler", "podinfo", "podinfo"));
      assert.equal(await get("staging", "HorizontalPodAutoscaler", "podinfo", "podinfo"), undefined);
      const replicas = async (e: Env) =>
        (specOf(await get(e, "Deployment", "podinfo", "podinfo")) as { replicas?: number }).replicas;
      assert.equal(await replicas("staging"), 1);
      assert.equal(await replicas("production"), 3);

      const again = await runCli(["dev", "up", "--timeout", "240"], { env, signal });
      assert.equal(again.code, 0, again.stderr);
      const lines = again.stdout.trim().split("\n");
      assert.match(lines[0] ?? "", /^CLUSTER\s+\tREVISION\s+\tREADY\tTENANTS/);
      for (const e of ENVS) {
        const row = lines.find((l) => l.startsWith(`${e} `) || l.startsWith(`${e}\t`));
        assert.ok(row, `row for ${e} in\n${again.stdout}`);
        const cells = row.split("\t").map((c) => c.trim());
        assert.match(cells[1] ?? "", new RegExp(`^${CHANNEL[e]}@sha256:[0-9a-f]{64}$`));
        assert.equal(cells[2], "True");
        assert.equal(cells[3], "podinfo/podinfo,redis/redis");
        const agent = await readAgentState(join(dir, "clusters", e));
        assert.ok(agent && (await agentRunning(agent)), `${e} agent runs`);
      }
      assert.match(again.stderr, /registry .* already running/);
      assert.match(again.stderr, /cluster staging already running/);
      assert.match(again.stderr, /cluster production bootstrapped \(no changes\)/);
    },
  );

  // The test fleet: keyless verification of the fleet artifact per environment (D2's flux-instance
  // patches), short intervals (sync 10s, tenants 10s: drift and recovery come within one interval), and a
  // marker ConfigMap whose version tells which fleet revision a cluster applied.
  fleetCopy = await copyExamples(prefix);
  const fleet = join(fleetCopy, "fleet");
  const marker = async (version: string) => {
    for (const e of ENVS) {
      await writeFile(join(fleet, "clusters", e, "release.yaml"), configMap("fleet-release", { version }));
    }
  };
  for (const e of ENVS) {
    await editFile(
      join(fleet, "clusters", e, "flux-system", "flux-instance.yaml"),
      "    pullSecret: registry-auth\n",
      `    pullSecret: registry-auth\n    interval: 10s\n${instancePatches(SUBJECT[e])}`,
    );
  }
  await editFile(join(fleet, "tenants", "apps.yaml"), "interval: 30m", "interval: 10s");
  const digests = { v110: "", v120: "", v130: "", main1: "" };
  // The local Sigstore's trusted root, which the verify patches name (D2 uses the public Sigstore's).
  for (const e of ENVS) {
    await applyObject(
      kube[e],
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sigstore-root", namespace: "flux-system" },
        stringData: { "trusted_root.json": JSON.stringify(sigstore.trustedRoot) },
      } as KubeObject,
      { signal, fieldManager: "ferry-test" },
    );
  }

  await t.test(
    "promotion: latest-stable moves to a release-signed v1.1.0; production verifies it keylessly and converges",
    async () => {
      await marker("v1.1.0");
      digests.v110 = await publishRevision({
        repo: fleetRepo,
        path: fleet,
        tag: "v1.1.0",
        signer: keyless(releaseIdentity("v1.1.0")),
        signal,
      });
      digests.main1 = await publishRevision({
        repo: fleetRepo,
        path: fleet,
        tag: "main-00000001",
        more: ["latest"],
        signer: keyless(MAIN_IDENTITY),
        signal,
      });
      const promote = await runCli(["promote", `oci://${fleetRepo}:v1.1.0`, "--to", "latest-stable"], {
        signal,
      });
      assert.equal(promote.code, 0, promote.stderr);
      assert.match(
        promote.stdout,
        new RegExp(`:latest-stable sha256:[0-9a-f]{64} -> ${digests.v110} \\(v1\\.1\\.0\\)$`, "m"),
      );
      for (const e of ENVS) await poke(e);
      await converged("production", digests.v110, "v1.1.0", true);
      await converged("staging", digests.main1, "v1.1.0", true);
      const verify = specOf(await syncSource("production")).verify as {
        matchOIDCIdentity?: Array<{ subject: string }>;
      };
      assert.equal(verify.matchOIDCIdentity?.[0]?.subject, SUBJECT.production);
      // The tenants were re-applied from the new fleet revision (10s interval) and are still Ready.
      const tenantKs = await get("production", "Kustomization", "podinfo", "podinfo");
      assert.equal((specOf(tenantKs) as { interval?: string }).interval, "10s");
    },
  );

  await t.test(
    "promotion to v1.2.0 then rollback: production converges each way, the rolled-back object is pruned",
    async () => {
      await marker("v1.2.0");
      const extra = join(fleet, "clusters", "production", "extra.yaml");
      await writeFile(extra, configMap("fleet-extra", { added: "v1.2.0" }));
      digests.v120 = await publishRevision({
        repo: fleetRepo,
        path: fleet,
        tag: "v1.2.0",
        signer: keyless(releaseIdentity("v1.2.0")),
        signal,
      });
      await rm(extra);
      const promote = await runCli(["promote", `oci://${fleetRepo}:v1.2.0`, "--to", "latest-stable"], {
        signal,
      });
      assert.equal(promote.code, 0, promote.stderr);
      assert.match(
        promote.stdout,
        new RegExp(`:latest-stable ${digests.v110} -> ${digests.v120} \\(v1\\.2\\.0\\)$`, "m"),
      );
      await poke("production");
      await converged("production", digests.v120, "v1.2.0", true);
      assert.ok(await get("production", "ConfigMap", "flux-system", "fleet-extra"));
      // The fleet's tenants Kustomization follows the same source revision.
      await until(
        "the tenants Kustomization to apply v1.2.0",
        async () => {
          const ks = await get("production", "Kustomization", "flux-system", "tenants");
          const s = statusOf(ks) as { lastAppliedRevision?: string };
          return s.lastAppliedRevision === `latest-stable@${digests.v120}` ? true : describeFlux(ks);
        },
        wait,
      );

      const back = await runCli(["rollback", `oci://${fleetRepo}`], { signal });
      assert.equal(back.code, 0, back.stderr);
      assert.match(
        back.stdout,
        new RegExp(`${digests.v120} \\(was v1\\.2\\.0\\) -> ${digests.v110} \\(v1\\.1\\.0\\)`),
      );
      await poke("production");
      await converged("production", digests.v110, "v1.1.0", true);
      await until(
        "fleet-extra to be pruned after the rollback",
        async () =>
          (await get("production", "ConfigMap", "flux-system", "fleet-extra")) ? "still there" : true,
        wait,
      );
    },
  );

  await t.test(
    "a main-branch signature: refused by production (nothing applied), accepted by staging",
    async () => {
      await marker("v1.3.0");
      // A release tag whose artifact was signed by the main-branch workflow, also staging's latest.
      digests.v130 = await publishRevision({
        repo: fleetRepo,
        path: fleet,
        tag: "v1.3.0",
        more: ["main-00000003", "latest"],
        signer: keyless(MAIN_IDENTITY),
        signal,
      });
      // Promotion with production's identity policy refuses it and leaves latest-stable alone…
      const rootFile = join(root, "trusted_root.json");
      await writeFile(rootFile, JSON.stringify(sigstore.trustedRoot));
      const guarded = await runCli(
        [
          "promote",
          `oci://${fleetRepo}:v1.3.0`,
          "--to",
          "latest-stable",
          "--certificate-oidc-issuer",
          GITHUB_ISSUER,
          "--certificate-identity-regexp",
          SUBJECT.production,
          "--trusted-root",
          rootFile,
        ],
        { signal },
      );
      assert.notEqual(guarded.code, 0, guarded.stdout);
      assert.match(guarded.stderr, /identity/);
      assert.match(guarded.stderr, /refs\/heads\/main/);
      // …an unguarded one (a tag moved by hand) goes through, and the cluster refuses it.
      const promote = await runCli(["promote", `oci://${fleetRepo}:v1.3.0`, "--to", "latest-stable"], {
        signal,
      });
      assert.equal(promote.code, 0, promote.stderr);
      assert.match(promote.stdout, new RegExp(`:latest-stable ${digests.v110} -> ${digests.v130} `));
      for (const e of ENVS) await poke(e);
      await converged("staging", digests.v130, "v1.3.0", true);
      await until(
        "production to refuse v1.3.0",
        async () => {
          const src = await syncSource("production");
          const ready = conditionOf(src, "Ready");
          return ready?.status === "False" && ready.reason === "VerificationError" ? true : describeFlux(src);
        },
        wait,
      );
      const src = await syncSource("production");
      const ready = conditionOf(src, "Ready");
      assert.match(ready?.message ?? "", /provider 'cosign keyless'/);
      assert.match(ready?.message ?? "", /refs\/heads\/main/);
      assert.equal(conditionOf(src, "SourceVerified")?.status, "False");
      // Nothing from the refused artifact: the last verified revision stays applied.
      assert.equal(
        (statusOf(src) as { artifact?: { revision?: string } }).artifact?.revision,
        `latest-stable@${digests.v110}`,
      );
      const ks = await syncKs("production");
      assert.equal(
        (statusOf(ks) as { lastAppliedRevision?: string }).lastAppliedRevision,
        `latest-stable@${digests.v110}`,
      );
      assert.equal(await release("production"), "v1.1.0");

      const back = await runCli(["rollback", `oci://${fleetRepo}`, "--to", "v1.1.0"], { signal });
      assert.equal(back.code, 0, back.stderr);
      await poke("production");
      await converged("production", digests.v110, "v1.1.0", true);
    },
  );

  await t.test(
    "component promotion and rollback: production's tenant follows its component's latest-stable, staging stays",
    async () => {
      // D2's app CI: components/podinfo:v1.1.0, key-signed, with 2 production replicas instead of 3.
      const component = join(fleetCopy ?? "", "components", "podinfo");
      await editFile(join(component, "production", "kustomization.yaml"), "value: 3", "value: 2");
      const privateKey = await loadPrivateKey(await readFile(join(dir, "cosign.key"), "utf8"), {
        password: DEV_KEY_PASSWORD,
        source: "cosign.key",
        signal,
      });
      const repo = `${prefix}/components/podinfo`;
      const v110 = await publishRevision({
        repo,
        path: component,
        tag: "v1.1.0",
        signer: { kind: "key", privateKey },
        signal,
      });
      const replicas = async (e: Env) =>
        (specOf(await get(e, "Deployment", "podinfo", "podinfo")) as { replicas?: number }).replicas;
      const tenantAt = async (want: number, revision: string) =>
        await until(
          `production's podinfo at ${revision} with ${want} replicas`,
          async () => {
            const ks = await get("production", "Kustomization", "podinfo", "podinfo");
            const applied = (statusOf(ks) as { lastAppliedRevision?: string }).lastAppliedRevision;
            const n = await replicas("production");
            return applied === revision && n === want ? true : `replicas ${n}; ${describeFlux(ks)}`;
          },
          wait,
        );
      const promote = await runCli(
        ["promote", `oci://${repo}:v1.1.0`, "--to", "latest-stable", "--verify-key", join(dir, "cosign.pub")],
        { signal },
      );
      assert.equal(promote.code, 0, promote.stderr);
      await poke("production", "podinfo");
      await tenantAt(2, `latest-stable@${v110}`);
      assert.equal(await replicas("staging"), 1);

      const back = await runCli(["rollback", `oci://${repo}`], { signal });
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /\(was v1\.1\.0\) -> sha256:[0-9a-f]{64} \(v1\.0\.0\)$/m);
      const v100 = /-> (sha256:[0-9a-f]{64})/.exec(back.stdout)?.[1];
      await poke("production", "podinfo");
      await tenantAt(3, `latest-stable@${v100}`);
    },
  );

  // From here on only staging moves (latest), with main-branch signatures.
  let build = 10;
  const pushMain = async (version: string) => {
    await marker(version);
    const tag = `main-${String(++build).padStart(8, "0")}`;
    const digest = await publishRevision({
      repo: fleetRepo,
      path: fleet,
      tag,
      more: ["latest"],
      signer: keyless(MAIN_IDENTITY),
      signal,
    });
    await poke("staging");
    return digest;
  };
  const uid = async (kind: string, ns: string, name: string) =>
    (await get("staging", kind, ns, name))?.metadata.uid;

  await t.test(
    "a tenant removed from the apps ResourceSet: its namespace and objects are pruned",
    async () => {
      const podinfoUid = await uid("Deployment", "podinfo", "podinfo");
      assert.ok(await uid("Deployment", "redis", "redis"));
      const apps = join(fleet, "tenants", "apps.yaml");
      await editFile(apps, / {4}- tenant: redis\n( {6}.*\n){3}/, "");
      const digest = await pushMain("no-redis");
      await converged("staging", digest, "no-redis", true);
      await until(
        "namespace redis and its objects to be gone",
        async () => {
          if (await get("staging", "Deployment", "redis", "redis")) return "Deployment redis/redis exists";
          if (await get("staging", "Namespace", "", "redis")) return "namespace redis exists";
          return true;
        },
        wait,
      );
      const rs = await get("staging", "ResourceSet", "flux-system", "apps");
      const ids = (
        (statusOf(rs) as { inventory?: { entries?: Array<{ id: string }> } }).inventory?.entries ?? []
      ).map((x) => x.id);
      assert.ok(ids.length > 0 && !ids.some((id) => id.includes("redis")), ids.join(" "));
      // The other tenant was left alone (same object, not re-created).
      assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
      // Production (latest-stable) still has both tenants.
      assert.ok(await get("production", "Deployment", "redis", "redis"));
    },
  );

  await t.test(
    "drift: a deleted Deployment and an edited Service are restored by the next interval",
    async () => {
      const oldUid = await uid("Deployment", "podinfo", "podinfo");
      await deleteObject(
        kube.staging,
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "podinfo", namespace: "podinfo" } },
        { signal },
      );
      await mergePatchObject(
        kube.staging,
        { apiVersion: "v1", kind: "Service", metadata: { name: "podinfo", namespace: "podinfo" } },
        { spec: { selector: { app: "hijacked" } } },
        { signal, fieldManager: "someone" },
      );
      await until(
        "the podinfo Deployment and Service to be restored",
        async () => {
          const d = await get("staging", "Deployment", "podinfo", "podinfo");
          if (!d || d.metadata.uid === oldUid) return "Deployment not re-created yet";
          const svc = await get("staging", "Service", "podinfo", "podinfo");
          const app = (specOf(svc) as { selector?: Record<string, string> }).selector?.app;
          if (app !== "podinfo") return `Service selector app=${app}`;
          const ks = await get("staging", "Kustomization", "podinfo", "podinfo");
          return conditionOf(ks, "Ready")?.status === "True" ? true : describeFlux(ks);
        },
        wait,
      );
    },
  );

  await t.test(
    "broken commits: invalid YAML, then a kustomize build error; previous objects stay; the next push fixes it",
    async () => {
      const good = (await syncKs("staging"))?.status as { lastAppliedRevision?: string };
      const podinfoUid = await uid("Deployment", "podinfo", "podinfo");
      const broken = join(fleet, "clusters", "staging", "broken.yaml");
      await writeFile(broken, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
      const bad1 = await pushMain("broken-yaml");
      await until(
        "the sync Kustomization to fail on broken.yaml",
        async () => {
          const ks = await syncKs("staging");
          const s = (ks?.status ?? {}) as { lastAttemptedRevision?: string };
          const ready = conditionOf(ks, "Ready");
          return s.lastAttemptedRevision === `latest@${bad1}` && ready?.status === "False"
            ? true
            : describeFlux(ks);
        },
        wait,
      );
      let ks = await syncKs("staging");
      assert.match(conditionOf(ks, "Ready")?.message ?? "", /broken\.yaml/);
      assert.equal(
        (statusOf(ks) as { lastAppliedRevision?: string }).lastAppliedRevision,
        good.lastAppliedRevision,
      );
      assert.equal(await release("staging"), "no-redis");
      await rm(broken);

      const kfile = join(fleet, "clusters", "staging", "flux-system", "kustomization.yaml");
      await editFile(kfile, "  - runtime-info.yaml\n", "  - runtime-info.yaml\n  - missing-file.yaml\n");
      const bad2 = await pushMain("build-error");
      await until(
        "the sync Kustomization to fail on the kustomize build",
        async () => {
          const k = await syncKs("staging");
          const s = (k?.status ?? {}) as { lastAttemptedRevision?: string };
          return s.lastAttemptedRevision === `latest@${bad2}` && conditionOf(k, "Ready")?.status === "False"
            ? true
            : describeFlux(k);
        },
        wait,
      );
      ks = await syncKs("staging");
      assert.match(conditionOf(ks, "Ready")?.message ?? "", /missing-file\.yaml/);
      assert.equal(
        (statusOf(ks) as { lastAppliedRevision?: string }).lastAppliedRevision,
        good.lastAppliedRevision,
      );
      assert.equal(await release("staging"), "no-redis");
      // Nothing was pruned meanwhile.
      assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
      assert.ok(await get("staging", "ConfigMap", "flux-system", "flux-runtime-info"));
      await editFile(kfile, "  - missing-file.yaml\n", "");

      const fixed = await pushMain("fixed");
      await converged("staging", fixed, "fixed", true);
      assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
    },
  );

  await t.test(
    "registry down during a reconcile: the source says why, nothing is pruned, recovery is automatic",
    async () => {
      const regDir = join(dir, "registry");
      const before = (await syncKs("staging"))?.status as { lastAppliedRevision?: string };
      const podinfoUid = await uid("Deployment", "podinfo", "podinfo");
      await stopRegistryProcess(regDir);
      let restarted = false;
      try {
        await poke("staging");
        await until(
          "the sync source to fail while the registry is down",
          async () => {
            const src = await syncSource("staging");
            return conditionOf(src, "Ready")?.status === "False" ? true : describeFlux(src);
          },
          wait,
        );
        const src = await syncSource("staging");
        assert.match(conditionOf(src, "Ready")?.message ?? "", new RegExp(up.registry.replace(/\./g, "\\.")));
        // The last applied revision and its objects stay; tenants are not pruned.
        const ks = await syncKs("staging");
        assert.equal(
          (statusOf(ks) as { lastAppliedRevision?: string }).lastAppliedRevision,
          before.lastAppliedRevision,
        );
        assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
        assert.equal(await release("staging"), "fixed");
        assert.equal(await startRegistryProcess(regDir, signal), up.registry);
        restarted = true;
      } finally {
        if (!restarted) await startRegistryProcess(regDir, signal).catch(() => {});
      }
      // No request: the source's retry and 10s interval bring it back.
      await until(
        "the sync sources of both clusters to recover",
        async () => {
          for (const e of ENVS) {
            const src = await syncSource(e);
            if (conditionOf(src, "Ready")?.status !== "True") return `${e}: ${describeFlux(src)}`;
          }
          return true;
        },
        wait,
      );
      const fixed = await pushMain("after-registry");
      await converged("staging", fixed, "after-registry", true);
      assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
    },
  );

  await t.test(
    "API server restarted mid-apply: the revision is applied whole once it is back, nothing pruned",
    async (t) => {
      const podinfoUid = await uid("Deployment", "podinfo", "podinfo");
      const runtimeUid = await uid("ConfigMap", "flux-system", "flux-runtime-info");
      const bulk = join(fleet, "clusters", "staging", "bulk.yaml");
      const N = 80;
      const label = "scenario.ferry.dev/bulk";
      await writeFile(
        bulk,
        Array.from({ length: N }, (_, i) => configMap(`bulk-${i}`, { i: String(i) }, label)).join("---\n"),
      );
      const digest = await pushMain("bulk");
      // Stop the API server as soon as the first object of the revision shows up: the apply has begun.
      let appliedBefore = 0;
      await until(
        "the agent to start applying the bulk revision",
        async () => {
          const list = await listObjects(kube.staging, "v1", "ConfigMap", {
            signal,
            namespace: "flux-system",
            labelSelector: label,
          });
          appliedBefore = list.items.length;
          return appliedBefore > 0 ? true : `none of ${N} applied`;
        },
        { signal, timeoutMs: 60_000, pollMs: 50 },
      );
      await restartApiServer(join(dir, "clusters", "staging"), kube.staging, signal);
      t.diagnostic(`API server restarted with ${appliedBefore} of ${N} new objects seen applied`);
      await converged("staging", digest, "bulk", true);
      for (let i = 0; i < N; i++) {
        assert.ok(await get("staging", "ConfigMap", "flux-system", `bulk-${i}`), `bulk-${i}`);
      }
      assert.equal(await uid("Deployment", "podinfo", "podinfo"), podinfoUid);
      assert.equal(await uid("ConfigMap", "flux-system", "flux-runtime-info"), runtimeUid);
      // The inventory was committed with the whole revision.
      const inv = (statusOf(await syncKs("staging")) as { inventory?: { entries?: Array<{ id: string }> } })
        .inventory?.entries;
      assert.equal(inv?.filter((x) => /_bulk-\d+_/.test(x.id)).length, N);
      await rm(bulk);
      // The agent still reconciles after the restart: the next revision prunes the bulk objects.
      const next = await pushMain("after-restart");
      await converged("staging", next, "after-restart", true);
      await until(
        "the bulk ConfigMaps to be pruned",
        async () => ((await get("staging", "ConfigMap", "flux-system", "bulk-0")) ? "bulk-0 exists" : true),
        wait,
      );
    },
  );

  await t.test("dev down stops every process and removes the folder", async () => {
    // Debugging a failure: FERRY_SCENARIO_LOGS=DIR keeps the agents' and clusters' logs.
    const keep = process.env.FERRY_SCENARIO_LOGS;
    if (keep) await keepLogs(dir, keep);
    const procs = await recordedProcesses(dir);
    const agents = await Promise.all(ENVS.map((n) => readAgentState(join(dir, "clusters", n))));
    const down = await runCli(["dev", "down"], { env, signal });
    assert.equal(down.code, 0, down.stderr);
    assert.match(
      down.stdout,
      /stopped 2 agent\(s\), deleted cluster\(s\) production, staging, stopped the registry/,
    );
    assert.equal(existsSync(dir), false);
    for (const p of procs) assert.equal(await isRunning(p.pid, p.bin), false, `pid ${p.pid} (${p.bin})`);
    for (const a of agents) assert.equal(await agentRunning(a!), false);
    const twice = await runCli(["dev", "down"], { env, signal });
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /nothing was running/);
  });
});
