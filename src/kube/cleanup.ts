/**
 * Metadata cleanup before apply, as Flux does: fields owned by `kubectl` (client-side apply, `kubectl
 * edit`, `before-first-apply`) are handed to this owner's field manager, so fields removed from the
 * desired manifest are removed from the object instead of lingering under another manager; listed
 * annotations and labels (e.g. `kubectl.kubernetes.io/last-applied-configuration`) are removed. An object
 * annotated `kustomize.toolkit.fluxcd.io/ssa: Merge` (desired or live) is left alone. Pure: it returns the
 * JSON patch; apply.ts sends it.
 */
import { annotation, type KubeObject } from "./object.ts";

export interface FieldManagerMatch {
  /** Manager name prefix, e.g. `kubectl` matches `kubectl-client-side-apply` and `kubectl-edit`. */
  name: string;
  operation: "Apply" | "Update";
}

export interface CleanupOptions {
  fieldManagers?: FieldManagerMatch[];
  annotations?: string[];
  labels?: string[];
}

export type JsonPatchOp = { op: "remove"; path: string } | { op: "replace"; path: string; value: unknown };

/** kustomize-controller's defaults for an owner whose field manager is `fieldManager`. */
export function fluxCleanupDefaults(fieldManager: string): CleanupOptions {
  return {
    fieldManagers: [
      { name: "kubectl", operation: "Apply" },
      { name: "kubectl", operation: "Update" },
      { name: "before-first-apply", operation: "Update" },
      { name: fieldManager, operation: "Update" },
    ],
    annotations: ["kubectl.kubernetes.io/last-applied-configuration"],
  };
}

const pointerToken = (k: string) => k.replaceAll("~", "~0").replaceAll("/", "~1");

/** The JSON patch that cleans `live` up (empty when nothing to do). */
export function cleanupPatch(
  desired: KubeObject,
  live: KubeObject,
  opts: CleanupOptions,
  fieldManager: string,
): JsonPatchOp[] {
  const merge = "kustomize.toolkit.fluxcd.io/ssa";
  if (annotation(desired, merge) === "Merge" || annotation(live, merge) === "Merge") return [];
  const ops: JsonPatchOp[] = [];
  for (const k of opts.annotations ?? []) {
    if (live.metadata.annotations?.[k] !== undefined)
      ops.push({ op: "remove", path: `/metadata/annotations/${pointerToken(k)}` });
  }
  for (const k of opts.labels ?? []) {
    if (live.metadata.labels?.[k] !== undefined)
      ops.push({ op: "remove", path: `/metadata/labels/${pointerToken(k)}` });
  }
  const entries = live.metadata.managedFields ?? [];
  let renamed = false;
  const next = entries.map((e) => {
    const hit = (opts.fieldManagers ?? []).some(
      (f) => (e.manager ?? "").startsWith(f.name) && e.operation === f.operation && !e.subresource,
    );
    if (!hit || (e.manager === fieldManager && e.operation === "Apply")) return e;
    renamed = true;
    return { ...e, manager: fieldManager, operation: "Apply" };
  });
  if (renamed) ops.push({ op: "replace", path: "/metadata/managedFields", value: next });
  return ops;
}
