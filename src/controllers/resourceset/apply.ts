/**
 * Applying an expanded ResourceSet through the apply engine, as flux-operator does: steps in order (each a
 * staged server-side apply; between steps the applied objects must become healthy), the new inventory
 * from what was applied, then pruning of what left the inventory (only objects still carrying this set's
 * owner labels, never those annotated `fluxcd.controlplane.io/prune: disabled`), then the optional wait.
 * Any failure throws before pruning, so a failed apply never deletes anything.
 */
import {
  apiVersionOfEntry,
  type ChangeSetEntry,
  formatChanges,
  getObject,
  type Inventory,
  type InventoryObject,
  inventoryFromChangeSet,
  type KubeObject,
  type ResourceManager,
  staleObjects,
} from "../../kube/index.ts";
import type { StepResult } from "../../render/resourceset/index.ts";
import { deleteFailedJobs } from "./jobs.ts";
import { Annotations } from "./status.ts";

export interface ApplySetOptions {
  signal: AbortSignal;
  previous: Inventory | undefined;
  /** Wait for the last step's objects to become healthy (`spec.wait`). */
  wait: boolean;
  /** Health-check timeout of a step without its own `timeout`. */
  timeoutMs: number;
  force: boolean;
  /** Step timeouts are Go durations. */
  parseDuration: (text: string | undefined) => number | undefined;
  /** `ResourceSet/ns/name` (messages). */
  object: string;
  /** Told which failed Jobs were deleted for recreation (`recreateOnFailure`). */
  onJobsDeleted?: ((jobs: string[]) => void) | undefined;
  /** Receives each step's change set as soon as it is applied (so a later failure still knows it). */
  onApplied?: ((entries: readonly ChangeSetEntry[]) => void) | undefined;
}

export interface ApplySetResult {
  inventory: Inventory;
  applied: ChangeSetEntry[];
  pruned: ChangeSetEntry[];
}

const header = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
});

function stepError(step: StepResult, action: string, err: unknown): unknown {
  if (!step.name) return err;
  const e = new Error(`step "${step.name}" ${action}: ${(err as Error).message}`, { cause: err });
  return e;
}

/**
 * Deletes the stale objects. The engine checks the owner labels and Flux's prune annotation; flux-operator's
 * own opt-out (`fluxcd.controlplane.io/prune: disabled`) is checked here on the live object.
 */
export async function pruneStale(
  m: ResourceManager,
  stale: readonly InventoryObject[],
  signal: AbortSignal,
): Promise<ChangeSetEntry[]> {
  const prunable: InventoryObject[] = [];
  for (const o of stale) {
    const apiVersion = apiVersionOfEntry({ key: o, version: o.version });
    const live = await getObject(
      m.client,
      { apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace || undefined } },
      { signal },
    ).catch(() => undefined);
    if (live?.metadata.annotations?.[Annotations.prune]?.toLowerCase() === "disabled") continue;
    prunable.push(o);
  }
  if (prunable.length === 0) return [];
  return await m.prune(prunable, { signal });
}

export async function applySet(
  m: ResourceManager,
  steps: readonly StepResult[],
  opts: ApplySetOptions,
): Promise<ApplySetResult> {
  const applied: ChangeSetEntry[] = [];
  const nonEmpty = steps.filter((s) => s.objects.length > 0);
  for (const [i, step] of nonEmpty.entries()) {
    const last = i === nonEmpty.length - 1;
    const recreated = await deleteFailedJobs(m, opts.object, step.objects, {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    }).catch((err: unknown) => {
      throw stepError(step, "job recreation failed", err);
    });
    if (recreated.length > 0) opts.onJobsDeleted?.(recreated);
    let changes: ChangeSetEntry[];
    try {
      changes = await m.apply(step.objects, { signal: opts.signal, force: opts.force });
    } catch (err) {
      throw stepError(step, "apply failed", err);
    }
    applied.push(...changes);
    opts.onApplied?.(changes);
    if (!last || opts.wait) {
      const timeoutMs = opts.parseDuration(step.timeout) ?? opts.timeoutMs;
      try {
        await m.wait(step.objects.map(header), { signal: opts.signal, timeoutMs, intervalMs: 500 });
      } catch (err) {
        throw stepError(step, "health check failed", err);
      }
    }
  }
  const inventory = inventoryFromChangeSet(applied);
  const stale = staleObjects(opts.previous, inventory);
  const pruned = await pruneStale(m, stale, opts.signal);
  return { inventory, applied, pruned };
}

/**
 * The inventory after a failed apply: the previous entries plus what was applied before the failure, so
 * objects created by an earlier step are still pruned later (flux-operator's partial-apply tracking).
 */
export function mergeInventory(
  previous: Inventory | undefined,
  applied: readonly ChangeSetEntry[],
): Inventory {
  const byId = new Map((previous?.entries ?? []).map((e) => [e.id, e]));
  for (const e of inventoryFromChangeSet(applied).entries) byId.set(e.id, e);
  return { entries: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** The event text of an apply: one line per changed or pruned object. */
export function changeLog(r: ApplySetResult): string {
  return formatChanges([...r.applied, ...r.pruned]);
}
