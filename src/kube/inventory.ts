/**
 * Inventory: the set of objects an owner applied, in Flux's `status.inventory` format
 * (`entries[].id` = `<namespace>_<name>_<group>_<kind>`, `entries[].v` = version), and the diff that says
 * which objects left the set and are candidates for pruning.
 */
import { UsageError } from "../errors/index.ts";
import type { ChangeSetEntry } from "./changeset.ts";
import { groupOf, type KubeObject, type ObjectKey, versionOf } from "./object.ts";

export interface InventoryEntry {
  id: string;
  v: string;
}

export interface Inventory {
  entries: InventoryEntry[];
}

export interface InventoryObject extends ObjectKey {
  version: string;
}

export function inventoryId(k: ObjectKey): string {
  return `${k.namespace}_${k.name}_${k.group}_${k.kind}`;
}

/** Parses an id; names and namespaces cannot contain `_`, groups cannot either, so the split is exact. */
export function parseInventoryId(id: string): ObjectKey {
  const parts = id.split("_");
  if (parts.length !== 4 || !parts[1] || !parts[3]) {
    throw new UsageError(`inventory id "${id}" is malformed; expected <namespace>_<name>_<group>_<kind>`);
  }
  return { namespace: parts[0] ?? "", name: parts[1], group: parts[2] ?? "", kind: parts[3] };
}

export function inventoryFromObjects(objects: readonly KubeObject[]): Inventory {
  return sortInventory({
    entries: objects.map((o) => ({
      id: inventoryId({
        namespace: o.metadata.namespace ?? "",
        name: o.metadata.name ?? "",
        group: groupOf(o.apiVersion),
        kind: o.kind,
      }),
      v: versionOf(o.apiVersion),
    })),
  });
}

/** The inventory of a change set: every object it applied or left unchanged (not pruned or skipped-absent). */
export function inventoryFromChangeSet(entries: readonly ChangeSetEntry[]): Inventory {
  return sortInventory({
    entries: entries
      .filter((e) => e.action !== "pruned")
      .map((e) => ({ id: inventoryId(e.key), v: e.version })),
  });
}

function sortInventory(inv: Inventory): Inventory {
  const seen = new Map<string, InventoryEntry>();
  for (const e of inv.entries) seen.set(e.id, e);
  return { entries: [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

export function inventoryObjects(inv: Inventory | undefined): InventoryObject[] {
  return (inv?.entries ?? []).map((e) => ({ ...parseInventoryId(e.id), version: e.v }));
}

/** Objects in `previous` that are not in `next` (by id; a version change is not a removal). */
export function staleObjects(previous: Inventory | undefined, next: Inventory): InventoryObject[] {
  const keep = new Set(next.entries.map((e) => e.id));
  return inventoryObjects({ entries: (previous?.entries ?? []).filter((e) => !keep.has(e.id)) });
}
