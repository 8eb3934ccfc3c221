/** Results as data: what an apply, prune or diff did (or would do) to each object. */
import { groupOf, type KubeObject, keyOf, type ObjectKey, refOf, versionOf } from "./object.ts";

export type Action = "created" | "configured" | "unchanged" | "pruned" | "skipped";

export interface ChangeSetEntry {
  /** `Kind/ns/name`. */
  ref: string;
  key: ObjectKey;
  version: string;
  action: Action;
  /** Why it was skipped, or what was recreated. */
  reason?: string;
}

export function entryFor(obj: KubeObject, action: Action, reason?: string): ChangeSetEntry {
  const e: ChangeSetEntry = { ref: refOf(obj), key: keyOf(obj), version: versionOf(obj.apiVersion), action };
  if (reason) e.reason = reason;
  return e;
}

export function apiVersionOfEntry(e: { key: ObjectKey; version: string }): string {
  return e.key.group ? `${e.key.group}/${e.version}` : e.version;
}

/** Counts per action, e.g. for a summary line or an event message. */
export function summarize(entries: readonly ChangeSetEntry[]): Record<Action, number> {
  const out: Record<Action, number> = { created: 0, configured: 0, unchanged: 0, pruned: 0, skipped: 0 };
  for (const e of entries) out[e.action]++;
  return out;
}

/** One line per changed object, as `Kind/ns/name action` (unchanged ones left out). */
export function formatChanges(entries: readonly ChangeSetEntry[]): string {
  return entries
    .filter((e) => e.action !== "unchanged")
    .map((e) => `${e.ref} ${e.action}${e.reason ? ` (${e.reason})` : ""}`)
    .join("\n");
}

export function groupKind(obj: KubeObject): string {
  const g = groupOf(obj.apiVersion);
  return g ? `${obj.kind}.${g}` : obj.kind;
}
