/**
 * Chart hooks run as Helm runs them: the hooks of one event (pre-install, post-upgrade, pre-delete, …)
 * ordered by weight then name, each applied (an existing one deleted first under the default
 * `before-hook-creation` policy) and waited for — a Job until it completes, a Pod until it succeeds,
 * anything else not at all — then deleted when its policy says `hook-succeeded` (or `hook-failed` on
 * failure). Test hooks run only when asked (`spec.test.enable`, see tests.ts). The release's hook records
 * get their last run (phase, start and completion times).
 */
import { describe } from "../../errors/index.ts";
import type { ReleaseHook } from "../../helm/index.ts";
import { deleteObject, getObject, type KubeObject, ResourceManager } from "../../kube/index.ts";
import { type ActionContext, FIELD_MANAGER } from "./action.ts";
import { manifestObjects, waitUntilGone } from "./objects.ts";

export class HookFailedError extends Error {
  override name = "HookFailedError";
}

function byWeight(a: ReleaseHook, b: ReleaseHook): number {
  const w = (a.weight ?? 0) - (b.weight ?? 0);
  if (w !== 0) return w;
  return (a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : 0;
}

/** Runs the hooks of `event`; throws HookFailedError naming the hook that failed. */
export async function runHooks(
  ctx: ActionContext,
  hooks: ReleaseHook[],
  event: string,
  release: { name: string; namespace: string },
  timeoutMs: number,
): Promise<void> {
  const selected = hooks.filter((h) => h.events?.includes(event)).sort(byWeight);
  if (selected.length === 0) return;
  const m = new ResourceManager({
    client: ctx.client,
    fieldManager: FIELD_MANAGER,
    ownerLabels: ctx.ownerLabels,
  });
  const done: { hook: ReleaseHook; objects: KubeObject[] }[] = [];
  for (const hook of selected) {
    const policies = hook.delete_policies?.length ? hook.delete_policies : ["before-hook-creation"];
    const objects = await manifestObjects(ctx.client, hook.manifest ?? "", release, ctx.signal, {
      common: ctx.commonMetadata,
    });
    if (policies.includes("before-hook-creation")) await remove(ctx, objects);
    hook.last_run = { started_at: new Date().toISOString(), phase: "Running" };
    try {
      await m.apply(objects, { signal: ctx.signal });
      await waitForHook(ctx, m, objects, timeoutMs);
    } catch (err) {
      hook.last_run = { ...hook.last_run, completed_at: new Date().toISOString(), phase: "Failed" };
      if (policies.includes("hook-failed")) await remove(ctx, objects).catch(() => {});
      throw new HookFailedError(
        `${event} hook ${hook.kind}/${hook.name} (${hook.path}) failed: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
    hook.last_run = { ...hook.last_run, completed_at: new Date().toISOString(), phase: "Succeeded" };
    done.push({ hook, objects });
  }
  for (const { hook, objects } of done) {
    if (hook.delete_policies?.includes("hook-succeeded")) await remove(ctx, objects);
  }
}

/**
 * Helm waits for Jobs to complete and Pods to succeed (a failed one fails the hook); other hook kinds
 * are ready once created.
 */
async function waitForHook(ctx: ActionContext, m: ResourceManager, objects: KubeObject[], timeoutMs: number) {
  const jobs = objects.filter((o) => o.kind === "Job" && o.apiVersion === "batch/v1");
  if (jobs.length > 0) {
    const targets = jobs.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
    }));
    await m.wait(targets, { signal: ctx.signal, timeoutMs });
  }
  const until = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  for (const pod of objects.filter((o) => o.kind === "Pod" && o.apiVersion === "v1")) {
    for (;;) {
      const live = await getObject(ctx.client, pod, { signal: ctx.signal });
      const phase = (live?.status as { phase?: string } | undefined)?.phase;
      if (phase === "Succeeded") break;
      if (phase === "Failed") throw new Error(`pod ${pod.metadata.name} failed`);
      if (until.aborted)
        throw new Error(`pod ${pod.metadata.name} did not succeed in time (phase ${phase ?? "unknown"})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Deletes the objects and waits until they are gone (a Job's pods go with it). */
async function remove(ctx: ActionContext, objects: KubeObject[]): Promise<void> {
  for (const o of objects)
    await deleteObject(ctx.client, o, { signal: ctx.signal, propagationPolicy: "Background" });
  await waitUntilGone(ctx, objects, 60_000);
}
