/**
 * Test helpers for the end-to-end D2 scenarios (scenarios.test.ts) on a `devUp` fleet: editable copies of
 * the example fleet, publishing a fleet revision signed with a key or keylessly (a local Sigstore), polling
 * a cluster for a condition with a hang guard, and the two faults the scenarios inject (the dev registry
 * stopped and started again on its port and storage; a cluster's kube-apiserver restarted), and a copy of
 * the clusters' logs for a failed run.
 * Test-only: never imported by product code.
 */
import type { KeyObject } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { apiServerArgs } from "../dev/components.ts";
import { isRunning, startProcess, stopProcess } from "../dev/processes.ts";
import { readState, writeState } from "../dev/state.ts";
import { watchPid } from "../dev/watchdog.ts";
import { getObject, type KubeClient, type KubeObject } from "../kube/index.ts";
import { OciClient, parseReference } from "../oci/index.ts";
import { pushArtifact, tagArtifact } from "../publish/index.ts";
import { signArtifact } from "../sign/index.ts";
import { testIdentityToken } from "../sign/testing-sigstore.ts";
import { ensureDevRegistry } from "./dev-registry.ts";
import { DevFleetError } from "./errors.ts";
import { defaultExamplesDir, EXAMPLE_PREFIX } from "./publish-examples.ts";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** The workflow identities of D2's CI for the example fleet's repository. */
export const MAIN_IDENTITY =
  "https://github.com/ferry/examples/.github/workflows/push-artifact.yaml@refs/heads/main";
export const releaseIdentity = (tag: string) =>
  `https://github.com/ferry/examples/.github/workflows/release-artifact.yaml@refs/tags/${tag}`;

/** A copy of `examples/` with the example registry rewritten to `prefix`; the caller removes it. */
export async function copyExamples(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-scenario-fleet-"));
  await cp(defaultExamplesDir(), dir, { recursive: true });
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.ya?ml$/.test(e.name)) continue;
    const p = join(e.parentPath, e.name);
    const text = await readFile(p, "utf8");
    if (text.includes(EXAMPLE_PREFIX)) await writeFile(p, text.split(EXAMPLE_PREFIX).join(prefix));
  }
  return dir;
}

/** Replaces `from` by `to` in a file; throws when `from` is absent (an edit that silently did nothing). */
export async function editFile(path: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test fleet edit: ${String(from)} not found in ${path}`);
  await writeFile(path, next);
}

export type FleetSigner =
  | { kind: "key"; privateKey: KeyObject }
  | { kind: "keyless"; subject: string; fulcioURL: string; rekorURL: string };

/** Pushes `path` as `repo:tag`, points `more` tags at it, signs the digest; returns the digest. */
export async function publishRevision(opts: {
  repo: string;
  path: string;
  tag: string;
  more?: string[];
  signer: FleetSigner;
  signal: AbortSignal;
}): Promise<string> {
  const { signal } = opts;
  const client = new OciClient({});
  const ref = parseReference(`${opts.repo}:${opts.tag}`);
  const pushed = await pushArtifact(client, ref, {
    path: opts.path,
    source: "https://github.com/ferry/examples",
    revision: `${opts.tag}@sha1:${Buffer.from(opts.tag).toString("hex").padEnd(40, "0").slice(0, 40)}`,
    reproducible: true,
    force: true,
    signal,
  });
  if (opts.more?.length) await tagArtifact(client, ref, opts.more, { force: true, signal });
  const s = opts.signer;
  await signArtifact({
    client,
    reference: { registry: ref.registry, repository: ref.repository, digest: pushed.digest },
    material:
      s.kind === "key"
        ? { kind: "key", privateKey: s.privateKey }
        : {
            kind: "keyless",
            fulcioURL: s.fulcioURL,
            identityToken: async () => testIdentityToken({ iss: GITHUB_ISSUER, sub: s.subject }),
          },
    ...(s.kind === "keyless" ? { rekorURL: s.rekorURL } : {}),
    signal,
  });
  return pushed.digest;
}

/**
 * Polls `check` (every 500 ms unless `pollMs`) until it returns true; a string return is the current state, quoted when
 * the deadline (a guard against hangs, not a timing assertion) passes.
 */
export async function until(
  what: string,
  check: () => Promise<true | string>,
  opts: { signal: AbortSignal; timeoutMs?: number; pollMs?: number },
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last = "";
  for (;;) {
    try {
      const r = await check();
      if (r === true) return;
      last = r;
    } catch (err) {
      if (opts.signal.aborted) throw err;
      last = `error: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last state: ${last}`);
    await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal });
  }
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function conditionOf(o: KubeObject | undefined, type: string): Condition | undefined {
  const conds = (o?.status as { conditions?: Condition[] } | undefined)?.conditions;
  return conds?.find((c) => c.type === type);
}

/** `status` of a live object (empty when absent). */
export function statusOf(o: KubeObject | undefined): Record<string, unknown> {
  return (o?.status ?? {}) as Record<string, unknown>;
}

/** `spec` of a live object (empty when absent). */
export function specOf(o: KubeObject | undefined): Record<string, unknown> {
  return (o?.spec ?? {}) as Record<string, unknown>;
}

/** One-line state of a Flux object for wait messages: Ready status, reason, revision fields. */
export function describeFlux(o: KubeObject | undefined): string {
  if (!o) return "absent";
  const s = (o.status ?? {}) as Record<string, unknown>;
  const r = conditionOf(o, "Ready");
  const art = (s.artifact as { revision?: string } | undefined)?.revision;
  return [
    `Ready=${r?.status ?? "none"} ${r?.reason ?? ""} ${r?.message ?? ""}`.trim(),
    art ? `artifact=${art}` : "",
    s.lastAppliedRevision ? `applied=${String(s.lastAppliedRevision)}` : "",
    s.lastAttemptedRevision ? `attempted=${String(s.lastAttemptedRevision)}` : "",
    `gen=${o.metadata.generation ?? "?"}/${String(s.observedGeneration ?? "?")}`,
  ]
    .filter(Boolean)
    .join(", ");
}

const KINDS: Record<string, string> = {
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  ResourceSet: "fluxcd.controlplane.io/v1",
  FluxInstance: "fluxcd.controlplane.io/v1",
  ConfigMap: "v1",
  Namespace: "v1",
  Service: "v1",
  Deployment: "apps/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
};

/** GET of a live object by kind (one of the kinds the scenarios read), namespace and name. */
export async function live(
  client: KubeClient,
  kind: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  const apiVersion = KINDS[kind];
  if (!apiVersion) throw new Error(`live(): unknown kind ${kind}`);
  return await getObject(
    client,
    { apiVersion, kind, metadata: { name, ...(kind === "Namespace" ? {} : { namespace }) } },
    { signal },
  );
}

/** Stops the dev registry's process, keeping its port and storage (registry.json stays). */
export async function stopRegistryProcess(registryDir: string): Promise<void> {
  const st = JSON.parse(await readFile(join(registryDir, "registry.json"), "utf8")) as {
    pid: number;
    bin: string;
  };
  await stopProcess(st.pid, st.bin);
  if (await isRunning(st.pid, st.bin))
    throw new DevFleetError("registry", `registry pid ${st.pid} still runs`);
}

/** Starts the dev registry again on the port and storage it had; returns its host. */
export async function startRegistryProcess(registryDir: string, signal: AbortSignal): Promise<string> {
  const r = await ensureDevRegistry({ dir: registryDir, signal });
  return r.host;
}

/**
 * Stops a cluster's kube-apiserver and starts it again with the same flags and etcd (the new pid recorded
 * in cluster.json and handed to the owner watchdog); returns once it answers /readyz.
 */
export async function restartApiServer(
  clusterDir: string,
  client: KubeClient,
  signal: AbortSignal,
): Promise<void> {
  const state = await readState(clusterDir);
  const api = state?.processes["kube-apiserver"];
  if (!state || !api) throw new DevFleetError("restart", `no kube-apiserver recorded in ${clusterDir}`);
  await stopProcess(api.pid, api.bin);
  const logFile = join(clusterDir, "logs", "kube-apiserver.log");
  const p = await startProcess(api.bin, apiServerArgs(clusterDir, state.ports), logFile);
  state.processes["kube-apiserver"] = { pid: p.pid, bin: p.bin, logFile };
  await writeState(state);
  await watchPid(clusterDir, p.pid).catch(() => {});
  await until(
    "the restarted kube-apiserver to answer",
    async () => {
      await getObject(
        client,
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } },
        { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) },
      );
      return true;
    },
    { signal, timeoutMs: 60_000 },
  );
}

/** Copies each dev cluster's `logs/` folder (agent and components) to `<to>/<cluster>/`. */
export async function keepLogs(devDir: string, to: string): Promise<void> {
  const clusters = join(devDir, "clusters");
  for (const name of await readdir(clusters)) {
    await cp(join(clusters, name, "logs"), join(to, name), { recursive: true });
  }
}

/** Removes a folder made by `copyExamples`. */
export async function removeCopy(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
