/** Test helpers for the HelmRelease tests: a chart packaged and pushed with the real helm CLI, waits. */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { toolPath } from "../../dev/tools.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { ociRepository } from "../ocirepository/testing.ts";

const run = promisify(execFile);
export const HR = "helm.toolkit.fluxcd.io/v2";
export const HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/** Runs the helm CLI against a cluster, with its caches in `home`. */
export async function helmCli(kubeconfig: string, home: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(toolPath("helm"), [...args, "--kubeconfig", kubeconfig], {
    env: { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
  });
  return stdout;
}

/** Writes a chart folder `<dir>/<name>` from files (paths relative to the chart root). */
export async function writeChart(dir: string, files: Record<string, string>): Promise<string> {
  for (const [p, text] of Object.entries(files)) {
    await mkdir(join(dir, p, ".."), { recursive: true });
    await writeFile(join(dir, p), text);
  }
  return dir;
}

/** `helm package` the folder into `out`, then `helm push` it to `oci://<registry>/<repo>` (plain HTTP). */
export async function packageAndPush(
  kubeconfig: string,
  home: string,
  chartDir: string,
  out: string,
  registryRepo: string,
): Promise<string> {
  const stdout = await helmCli(kubeconfig, home, "package", chartDir, "-d", out);
  const tgz = stdout.trim().split(": ").pop() as string;
  await helmCli(kubeconfig, home, "push", tgz, `oci://${registryRepo}`, "--plain-http");
  return tgz;
}

/** An OCIRepository selecting the Helm chart layer of `url` at `tag`. */
export function chartRepository(namespace: string, name: string, url: string, tag: string): KubeObject {
  return ociRepository(namespace, name, {
    url,
    ref: { tag },
    insecure: true,
    layerSelector: { mediaType: HELM_CHART_MEDIA_TYPE, operation: "copy" },
  });
}

export function helmRelease(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: HR,
    kind: "HelmRelease",
    metadata: { name, namespace },
    spec: { interval: "10m", ...spec },
  };
}

export async function waitForHr(
  kube: KubeClient,
  namespace: string,
  name: string,
  check: (s: Record<string, unknown>) => boolean,
  signal: AbortSignal,
  timeoutMs = 120_000,
): Promise<Record<string, unknown>> {
  const until = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let last: unknown;
  while (!until.aborted) {
    const o = await getObject(
      kube,
      { apiVersion: HR, kind: "HelmRelease", metadata: { namespace, name } },
      { signal },
    );
    last = o?.status;
    if (o && check((o.status ?? {}) as Record<string, unknown>))
      return (o.status ?? {}) as Record<string, unknown>;
    await sleep(200);
  }
  throw new Error(
    `gave up waiting for HelmRelease ${namespace}/${name}; last status ${JSON.stringify(last)}`,
  );
}

export function condition(
  s: Record<string, unknown>,
  type: string,
): { status?: string; reason?: string; message?: string } {
  const conds = (s.conditions ?? []) as {
    type: string;
    status?: string;
    reason?: string;
    message?: string;
  }[];
  return conds.find((c) => c.type === type) ?? {};
}

export const isReady = (s: Record<string, unknown>) => condition(s, "Ready").status === "True";

/** The chart version helm-controller (and Ferry) gives an OCIRepository chart: `<tag>+<12 hex of the digest>`. */
export async function ociChartVersion(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const o = await getObject(
    kube,
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", metadata: { namespace, name } },
    { signal },
  );
  const revision = (o?.status as { artifact?: { revision?: string } } | undefined)?.artifact?.revision ?? "";
  const [tag, digest] = revision.split("@") as [string, string];
  return `${tag}+${digest.slice("sha256:".length, "sha256:".length + 12)}`;
}

/** A chart string (`name-version+meta`) without its build metadata. */
export const withoutBuild = (chart: unknown) => String(chart).replace(/\+[0-9a-f]{12}$/, "");
