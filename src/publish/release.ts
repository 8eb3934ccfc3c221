/**
 * release: pushes the artifact a release plan describes (see release-plan.ts) and moves its channel tags.
 * Branch pushes compare with the channel first and push nothing when the files are unchanged.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type OciClient, parseReference, type Reference } from "../oci/index.ts";
import type { OpOptions } from "./common.ts";
import { ReleaseContextError } from "./errors.ts";
import { type PushResult, pushArtifact } from "./push.ts";
import type { ReleasePlan } from "./release-plan.ts";
import { type TagMove, tagArtifact } from "./tag.ts";

export interface ReleaseOptions extends OpOptions {
  /** Working directory the plan's path is relative to. */
  cwd: string;
  annotations?: Record<string, string> | undefined;
  ignorePaths?: readonly string[] | undefined;
  force?: boolean | undefined;
  created?: Date | string | undefined;
  /** Called with the pushed digest when something was pushed, before the channel tags move (signing). */
  sign?: ((pinned: Reference & { digest: string }) => Promise<void>) | undefined;
}

export interface ReleaseResult {
  plan: ReleasePlan;
  push: PushResult;
  /** Channel tags moved (empty when nothing was pushed on a branch). */
  moves: TagMove[];
}

export async function releaseArtifact(
  client: OciClient,
  plan: ReleasePlan,
  opts: ReleaseOptions,
): Promise<ReleaseResult> {
  const target = parseReference(`${plan.repository}:${plan.tag}`);
  const path = join(opts.cwd, plan.path);
  if (!existsSync(path)) {
    const hint =
      plan.kind === "component" ? "check the tag's component name or --components-dir" : "check --path";
    throw new ReleaseContextError(plan.revision, `${plan.kind} folder ${path} does not exist; ${hint}`);
  }
  const push = await pushArtifact(client, target, {
    path,
    source: plan.source,
    revision: plan.revision,
    annotations: opts.annotations,
    ignorePaths: opts.ignorePaths,
    diffTag: plan.diffTag,
    force: opts.force,
    created: opts.created,
    signal: opts.signal,
  });
  let moves: TagMove[] = [];
  const pinned = { registry: target.registry, repository: target.repository, digest: push.digest };
  // Signed before any channel tag points at it, so a cluster following the channel never sees it unsigned.
  if (push.pushed) await opts.sign?.(pinned);
  if (push.outcome !== "unchanged" && plan.moves.length > 0) {
    moves = (await tagArtifact(client, pinned, plan.moves, { signal: opts.signal })).tags;
  }
  return { plan, push, moves };
}
