/**
 * Prune: delete the objects that left the inventory, unless they opted out
 * (`kustomize.toolkit.fluxcd.io/prune: disabled`), are already gone, or were taken over by another owner
 * (owner labels no longer match). Never deletes what it cannot prove is its own.
 */
import { apiVersionOfEntry, type ChangeSetEntry } from "./changeset.ts";
import { ApplyError, UnknownKindError } from "./errors.ts";
import type { InventoryObject } from "./inventory.ts";
import { LiveObjects } from "./live.ts";
import type { ResourceManager } from "./manager.ts";
import { type KubeObject, refOf } from "./object.ts";
import { mapLimit } from "./parallel.ts";
import { pruneAnnotation, ssaAnnotation } from "./preflight.ts";
import { deleteObject, type ObjectHeader } from "./rest.ts";

export interface PruneOptions {
  signal: AbortSignal;
  /** Report what would be pruned without deleting (server-side dry-run delete). */
  dryRun?: boolean;
}

function header(o: InventoryObject): ObjectHeader {
  const apiVersion = apiVersionOfEntry({ key: o, version: o.version });
  return { apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace || undefined } };
}

/** Why this owner must not delete the live object, or undefined when it may. */
export function pruneBlocker(m: ResourceManager, live: KubeObject): string | undefined {
  const ann = live.metadata.annotations ?? {};
  if (ann[pruneAnnotation] === "disabled") return `${pruneAnnotation}: disabled`;
  if (ann[ssaAnnotation] === "Ignore") return `${ssaAnnotation}: Ignore`;
  const labels = live.metadata.labels ?? {};
  for (const [k, v] of Object.entries(m.ownerLabels)) {
    if (labels[k] !== v) return `owned by another owner (label ${k}=${labels[k] ?? "<unset>"})`;
  }
  // Without owner labels, the field manager is the proof of ownership.
  const managers = live.metadata.managedFields;
  if (
    Object.keys(m.ownerLabels).length === 0 &&
    managers &&
    !managers.some((f) => f.manager === m.fieldManager)
  ) {
    return `not managed by field manager ${m.fieldManager}`;
  }
  return undefined;
}

export async function pruneAll(
  m: ResourceManager,
  objects: readonly InventoryObject[],
  opts: PruneOptions,
): Promise<ChangeSetEntry[]> {
  const prefetched = await LiveObjects.prefetch(m.client, objects.map(header), {
    signal: opts.signal,
    concurrency: m.concurrency,
  });
  const results = await mapLimit(objects, m.concurrency, async (o): Promise<ChangeSetEntry> => {
    const h = header(o);
    const entry = (action: ChangeSetEntry["action"], reason?: string): ChangeSetEntry => {
      const e: ChangeSetEntry = {
        ref: refOf(o),
        key: { group: o.group, kind: o.kind, namespace: o.namespace, name: o.name },
        version: o.version,
        action,
      };
      if (reason) e.reason = reason;
      return e;
    };
    let live: KubeObject | undefined;
    try {
      live = await prefetched.read<KubeObject>(m.client, h, opts.signal);
    } catch (err) {
      if (err instanceof UnknownKindError) return entry("skipped", "kind no longer served");
      throw err;
    }
    if (!live) return entry("skipped", "already deleted");
    if (live.metadata.deletionTimestamp) return entry("pruned", "already terminating");
    const blocker = pruneBlocker(m, live);
    if (blocker) return entry("skipped", blocker);
    try {
      await deleteObject(m.client, h, { signal: opts.signal, dryRun: opts.dryRun });
    } catch (err) {
      if (opts.signal.aborted) throw err;
      throw new ApplyError(refOf(o), "prune", err instanceof Error ? err.message : String(err), err);
    }
    return entry("pruned");
  });
  return results;
}
