/**
 * Decisions of a HelmRelease reconcile, kept apart from the I/O: whether the deployed release is in sync
 * with the chart, values and rendered manifest; the install/upgrade request from the spec; whether retries
 * are spent; and the remediation of a failed attempt — a rollback to the last deployed revision (as a new
 * revision, as `helm rollback` does) for upgrades, an uninstall for installs — when retries are set.
 */
import type { HelmRelease } from "../../api/index.ts";
import { type Chart, type Release, type RenderedChart, valuesDigest } from "../../helm/index.ts";
import type { KubeObject } from "../../kube/index.ts";
import { type ActionContext, type ReleaseRequest, release, uninstall } from "./action.ts";
import type { HelmReleaseStatus } from "./status.ts";

type Spec = HelmRelease["spec"];

export interface Prepared {
  chart: Chart;
  rendered: RenderedChart;
  /** Stored releases, oldest first. */
  history: Release[];
  latest: Release | undefined;
  upgrade: boolean;
  configDigest: string;
  /** The OCI digest of the chart artifact. */
  ociDigest: string;
}

/**
 * The deployed release when it is the latest and has this chart and these values, and the post-renderers
 * and common metadata it was made with are the spec's (digests kept in status), as helm-controller
 * decides. The rendered manifest is not compared: templates may print `.Release.Revision`, which
 * changes with every revision; drift detection covers the cluster side.
 */
export function isInSync(p: Prepared, spec: Spec, status: HelmReleaseStatus): Release | undefined {
  const d = p.latest?.info.status === "deployed" ? p.latest : undefined;
  if (!d) return undefined;
  const same =
    d.chart.metadata.name === p.chart.metadata.name &&
    d.chart.metadata.version === p.chart.metadata.version &&
    valuesDigest(d.config) === p.configDigest &&
    (status.observedPostRenderersDigest ?? EMPTY_DIGEST) === postRenderersDigest(spec) &&
    (status.observedCommonMetadataDigest ?? EMPTY_DIGEST) === commonMetadataDigest(spec);
  return same ? d : undefined;
}

const EMPTY_DIGEST = valuesDigest({});

/** Digest of spec.postRenderers (of `{}` when there are none). */
export function postRenderersDigest(spec: Spec): string {
  return spec.postRenderers?.length ? valuesDigest({ postRenderers: spec.postRenderers }) : EMPTY_DIGEST;
}

/** Digest of spec.commonMetadata (of `{}` when unset). */
export function commonMetadataDigest(spec: Spec): string {
  return spec.commonMetadata ? valuesDigest({ commonMetadata: spec.commonMetadata }) : EMPTY_DIGEST;
}

export function releaseRequest(spec: Spec, p: Prepared, timeoutMs: number): ReleaseRequest {
  const crds = p.upgrade
    ? (spec.upgrade?.crds ?? "Skip")
    : (spec.install?.crds ?? (spec.install?.skipCRDs ? "Skip" : "Create"));
  return {
    rendered: p.rendered,
    previous: p.upgrade ? p.latest : undefined,
    revision: (p.latest?.version ?? 0) + 1,
    crds,
    createNamespace: !p.upgrade && spec.install?.createNamespace === true,
    wait: !(p.upgrade ? spec.upgrade?.disableWait : spec.install?.disableWait),
    timeoutMs,
    maxHistory: spec.maxHistory ?? 5,
    force: p.upgrade && spec.upgrade?.force === true,
    disableHooks: (p.upgrade ? spec.upgrade?.disableHooks : spec.install?.disableHooks) === true,
  };
}

function retries(spec: Spec, upgrade: boolean): number {
  return (upgrade ? spec.upgrade?.remediation?.retries : spec.install?.remediation?.retries) ?? 0;
}

/** More failures than retries for this action (a negative retries value retries forever). */
export function retriesExhausted(spec: Spec, status: HelmReleaseStatus, upgrade: boolean): boolean {
  const r = retries(spec, upgrade);
  if (r < 0) return false;
  return ((upgrade ? status.upgradeFailures : status.installFailures) ?? 0) > r;
}

/** A `reconcile.fluxcd.io/resetAt` value not handled yet: failure counts start over. */
export function resetRequested(obj: KubeObject, status: HelmReleaseStatus): boolean {
  const at = obj.metadata.annotations?.["reconcile.fluxcd.io/resetAt"];
  return at !== undefined && at !== status.lastHandledResetAt;
}

/**
 * Remediates a failed attempt when retries are configured: upgrades roll back to the last deployed
 * revision (unless the strategy is uninstall, or this was the last failure and remediateLastFailure is
 * false), installs are uninstalled. Returns the Remediated condition, or undefined when nothing was done.
 */
export async function remediate(
  ctx: ActionContext,
  spec: Spec,
  status: HelmReleaseStatus,
  p: Prepared,
  timeoutMs: number,
): Promise<{ status: "True"; reason: string; message: string } | undefined> {
  const r = retries(spec, p.upgrade);
  if (r === 0) return undefined;
  const last = retriesExhausted(spec, status, p.upgrade);
  const rem = p.upgrade ? spec.upgrade?.remediation : spec.install?.remediation;
  if (last && rem?.remediateLastFailure === false) return undefined;
  const name = `${ctx.releaseNamespace}/${ctx.releaseName}`;
  if (!p.upgrade || spec.upgrade?.remediation?.strategy === "uninstall") {
    await uninstall(ctx, { keepHistory: false });
    return {
      status: "True",
      reason: "UninstallSucceeded",
      message: `Helm uninstall succeeded for release ${name}`,
    };
  }
  const to = [...p.history].reverse().find((x) => x.info.status === "deployed");
  if (!to) return undefined;
  await rollback(ctx, to, spec, timeoutMs);
  return {
    status: "True",
    reason: "RollbackSucceeded",
    message: `Helm rollback to previous release ${name}.v${to.version} succeeded`,
  };
}

/** Re-deploys a previous release's manifest, chart and values as a new revision. */
async function rollback(ctx: ActionContext, to: Release, spec: Spec, timeoutMs: number): Promise<void> {
  const { listReleases, loadChartFiles } = await import("../../helm/index.ts");
  const all = await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, { signal: ctx.signal });
  const latest = all.at(-1) as Release;
  const chart = await loadChartFiles(
    [
      { name: "Chart.yaml", data: Buffer.from(JSON.stringify(to.chart.metadata)) },
      ...to.chart.templates.map((t) => ({ name: t.name, data: Buffer.from(t.data, "base64") })),
      ...to.chart.files.map((f) => ({ name: f.name, data: Buffer.from(f.data, "base64") })),
    ],
    `release ${to.name}.v${to.version}`,
  );
  chart.values = to.chart.values;
  await release(
    ctx,
    {
      rendered: {
        chart,
        config: to.config ?? {},
        values: to.config ?? {},
        manifests: [],
        hooks: [],
        crds: [],
        notes: to.info.notes ?? "",
        manifest: to.manifest ?? "",
      },
      previous: latest,
      revision: latest.version + 1,
      crds: "Skip",
      createNamespace: false,
      wait: !spec.rollback?.disableWait,
      timeoutMs,
      maxHistory: spec.maxHistory ?? 5,
      force: spec.rollback?.force === true,
    },
    `Rollback to ${to.version}`,
  );
}
