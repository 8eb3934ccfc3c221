/**
 * Diff: what an apply (and a prune) would do, object by object, from server-side dry-runs; with the JSON
 * paths that would change and the normalized before/after objects for configured ones. Changes nothing in
 * the cluster. Secret values are masked (`***`, or `*** (before)`/`*** (after)` when they differ).
 */
import { stageOnePending, throwFailures, withOwnerLabels } from "./apply.ts";
import { type ChangeSetEntry, entryFor } from "./changeset.ts";
import { changedPaths, maskSecretPair, normalizeForDiff } from "./drift.ts";
import type { InventoryObject } from "./inventory.ts";
import type { ResourceManager } from "./manager.ts";
import { isClusterDefinition, type KubeObject, sortForApply } from "./object.ts";
import { preflight } from "./preflight.ts";

export interface DiffEntry extends ChangeSetEntry {
  /** Paths that would change (configured objects only), e.g. `.spec.replicas`. */
  paths?: string[];
  /** Configured objects: the live object and the dry-run result, normalized, Secret values masked (`***`). */
  before?: KubeObject;
  after?: KubeObject;
}

export interface DiffOptions {
  signal: AbortSignal;
  force?: boolean;
  /** Inventory objects that left the set: reported as `pruned` (or `skipped`) via a dry-run delete. */
  stale?: readonly InventoryObject[];
}

export async function diffAll(
  m: ResourceManager,
  input: readonly KubeObject[],
  opts: DiffOptions,
): Promise<DiffEntry[]> {
  const objects = sortForApply(withOwnerLabels(m, input));
  const pending = stageOnePending(objects.filter(isClusterDefinition));
  const planned = await preflight(m, objects, { signal: opts.signal, force: opts.force ?? false, pending });
  throwFailures(planned);
  const out: DiffEntry[] = planned.map((p) => {
    if (p.deferred) return entryFor(p.obj, "created", p.deferred);
    const e: DiffEntry = entryFor(p.obj, p.action ?? "unchanged", p.reason);
    if (p.action === "configured" && p.live && p.dryRun) {
      const before = normalizeForDiff(p.live);
      const after = normalizeForDiff(p.dryRun);
      e.paths = changedPaths(before, after);
      [e.before, e.after] = maskSecretPair(before, after);
    }
    return e;
  });
  if (opts.stale && opts.stale.length > 0)
    out.push(...(await m.prune(opts.stale, { signal: opts.signal, dryRun: true })));
  return out;
}
