/**
 * Install, upgrade and uninstall of a release, as Helm's actions do them but applied with server-side apply
 * (field manager `helm-controller`): a `pending-*` record first, CRDs per policy, the pre-install or
 * pre-upgrade hooks, the objects, prune of what the previous revision had and this one dropped, optional
 * wait for health, the post hooks, then the record `deployed` (earlier ones `superseded`) or `failed`.
 * History beyond maxHistory is deleted. Uninstall runs the pre- and post-delete hooks around the delete.
 */
import { describe } from "../../errors/index.ts";
import {
  createRelease,
  deleteRelease,
  listReleases,
  type Release,
  type RenderedChart,
  releaseChart,
  releaseHooks,
  updateRelease,
  ZERO_TIME,
} from "../../helm/index.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  type HealthCheckExpr,
  type KubeClient,
  type KubeObject,
  ResourceManager,
} from "../../kube/index.ts";
import { runHooks } from "./hooks.ts";
import { dropped, inventoryOf, isKept, manifestObjects, waitUntilGone } from "./objects.ts";

export const FIELD_MANAGER = "helm-controller";

export interface ActionContext {
  /** The client objects are applied with (impersonated when serviceAccountName is set). */
  client: KubeClient;
  /** The client release records are written with. */
  storage: KubeClient;
  storageNamespace: string;
  releaseName: string;
  releaseNamespace: string;
  ownerLabels: Record<string, string>;
  /** spec.healthCheckExprs: CEL health checks for the wait, over kstatus, per kind. */
  healthCheckExprs?: HealthCheckExpr[] | undefined;
  /** spec.commonMetadata: labels and annotations put on every object. */
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
  signal: AbortSignal;
}

export interface ReleaseRequest {
  rendered: RenderedChart;
  previous: Release | undefined;
  revision: number;
  crds: "Skip" | "Create" | "CreateReplace";
  createNamespace: boolean;
  wait: boolean;
  timeoutMs: number;
  maxHistory: number;
  force: boolean;
  /** Skip the chart's hooks (install/upgrade `disableHooks`). */
  disableHooks?: boolean;
}

function now(): string {
  return new Date().toISOString();
}

/** Installs (no previous) or upgrades; returns the deployed release, throws after recording a failed one. */
export async function release(
  ctx: ActionContext,
  req: ReleaseRequest,
  description?: string,
): Promise<Release> {
  const { rendered, previous } = req;
  const upgrade = previous !== undefined;
  const rel: Release = {
    name: ctx.releaseName,
    namespace: ctx.releaseNamespace,
    version: req.revision,
    info: {
      first_deployed: previous?.info.first_deployed ?? now(),
      last_deployed: now(),
      deleted: ZERO_TIME,
      description: upgrade ? "Upgrade in progress" : "Install in progress",
      status: upgrade ? "pending-upgrade" : "pending-install",
      notes: rendered.notes,
    },
    chart: releaseChart(rendered.chart),
    config: rendered.config,
    manifest: rendered.manifest,
    hooks: releaseHooks(rendered.hooks),
  };
  const so = { signal: ctx.signal };
  await createRelease(ctx.storage, ctx.storageNamespace, rel, so);
  try {
    if (req.createNamespace) await ensureNamespace(ctx.client, ctx.releaseNamespace, ctx.signal);
    const m = new ResourceManager({
      client: ctx.client,
      fieldManager: FIELD_MANAGER,
      ownerLabels: ctx.ownerLabels,
      healthCheckExprs: ctx.healthCheckExprs,
    });
    if (req.crds !== "Skip" && rendered.crds.length > 0) {
      const crds = await manifestObjects(
        ctx.client,
        rendered.crds.map((c) => `---\n${c.data}`).join("\n"),
        rel,
        ctx.signal,
      );
      await m.apply(crds, { signal: ctx.signal, waitTimeoutMs: req.timeoutMs });
    }
    const hooks = req.disableHooks ? [] : (rel.hooks ?? []);
    await runHooks(ctx, hooks, upgrade ? "pre-upgrade" : "pre-install", rel, req.timeoutMs);
    const objects = await manifestObjects(ctx.client, rendered.manifest, rel, ctx.signal, {
      common: ctx.commonMetadata,
    });
    await m.apply(objects, { signal: ctx.signal, force: req.force, waitTimeoutMs: req.timeoutMs });
    if (previous?.manifest) {
      const before = await manifestObjects(ctx.client, previous.manifest, previous, ctx.signal, {
        skipUnknownKinds: true,
      }).catch(() => []);
      const stale = dropped(inventoryOf(before.filter((o) => !isKept(o))), inventoryOf(objects));
      if (stale.length > 0) await m.prune(stale, { signal: ctx.signal });
    }
    if (req.wait && objects.length > 0) {
      await m.wait(
        objects.map((o) => ({
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
        })),
        { signal: ctx.signal, timeoutMs: req.timeoutMs },
      );
    }
    await runHooks(ctx, hooks, upgrade ? "post-upgrade" : "post-install", rel, req.timeoutMs);
  } catch (err) {
    rel.info.status = "failed";
    rel.info.description = `${upgrade ? "Upgrade" : "Release"} "${rel.name}" failed: ${describe(err)}`;
    await updateRelease(ctx.storage, ctx.storageNamespace, rel, so).catch(() => {});
    throw err;
  }
  // Every earlier deployed revision is superseded by this one, as Helm's upgrade and rollback leave them.
  for (const r of await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, so)) {
    if (r.version === rel.version || r.info.status !== "deployed") continue;
    r.info.status = "superseded";
    await updateRelease(ctx.storage, ctx.storageNamespace, r, so);
  }
  rel.info.status = "deployed";
  rel.info.description = description ?? (upgrade ? "Upgrade complete" : "Install complete");
  await updateRelease(ctx.storage, ctx.storageNamespace, rel, so);
  await trimHistory(ctx, req.maxHistory);
  return rel;
}

async function ensureNamespace(client: KubeClient, name: string, signal: AbortSignal): Promise<void> {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name } } as KubeObject;
  if (await getObject(client, ns, { signal })) return;
  await applyObject(client, ns, { signal, fieldManager: FIELD_MANAGER });
}

async function trimHistory(ctx: ActionContext, max: number): Promise<void> {
  if (max <= 0) return;
  const all = await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, { signal: ctx.signal });
  for (const r of all.slice(0, Math.max(0, all.length - max))) {
    await deleteRelease(ctx.storage, ctx.storageNamespace, r.name, r.version, { signal: ctx.signal });
  }
}

/** Deletes the release's objects (what its manifest lists and the owner labels still mark) and its records. */
export async function uninstall(
  ctx: ActionContext,
  opts: { keepHistory: boolean; disableHooks?: boolean; timeoutMs?: number; wait?: boolean },
): Promise<void> {
  const all = await listReleases(ctx.storage, ctx.storageNamespace, ctx.releaseName, { signal: ctx.signal });
  const last = all.at(-1);
  const hooks = opts.disableHooks || !last ? [] : (last.hooks ?? []);
  if (last) await runHooks(ctx, hooks, "pre-delete", last, opts.timeoutMs ?? 300_000);
  if (last?.manifest) {
    const objects = (
      await manifestObjects(ctx.client, last.manifest, last, ctx.signal, { skipUnknownKinds: true })
    ).filter((o) => !isKept(o));
    for (const o of [...objects].reverse()) {
      await deleteObject(ctx.client, o, { signal: ctx.signal, propagationPolicy: "Background" });
    }
    if (opts.wait !== false) await waitUntilGone(ctx, objects, opts.timeoutMs ?? 300_000);
  }
  if (last) await runHooks(ctx, hooks, "post-delete", last, opts.timeoutMs ?? 300_000);
  if (opts.keepHistory && last) {
    last.info.status = "uninstalled";
    last.info.deleted = now();
    last.info.description = "Uninstallation complete";
    await updateRelease(ctx.storage, ctx.storageNamespace, last, { signal: ctx.signal });
    return;
  }
  for (const r of all)
    await deleteRelease(ctx.storage, ctx.storageNamespace, r.name, r.version, { signal: ctx.signal });
}
