/**
 * `spec.driftDetection`: with mode `enabled` or `warn`, a release that is otherwise up to date has its
 * objects compared with the cluster (server-side dry-run apply of the release manifest); `enabled` applies
 * the manifest again to correct what changed, `warn` only reports it. Returns the drifted objects.
 */
import { type KubeObject, ResourceManager } from "../../kube/index.ts";
import type { ActionContext } from "./action.ts";
import { FIELD_MANAGER } from "./action.ts";

export async function correctDrift(
  ctx: ActionContext,
  objects: KubeObject[],
  mode: "enabled" | "warn",
): Promise<string[]> {
  const m = new ResourceManager({
    client: ctx.client,
    fieldManager: FIELD_MANAGER,
    ownerLabels: ctx.ownerLabels,
  });
  const diff = await m.diff(objects, { signal: ctx.signal });
  const drifted = diff.filter((d) => d.action === "created" || d.action === "configured").map((d) => d.ref);
  if (drifted.length > 0 && mode === "enabled") await m.apply(objects, { signal: ctx.signal });
  return drifted;
}
