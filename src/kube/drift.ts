/**
 * Drift: whether a server-side dry-run result differs from the live object, ignoring what the server owns
 * (managed fields, resourceVersion, generation, status…), and the list of field paths that differ.
 */
import { deepCopy, isObject, type KubeObject } from "./object.ts";

const ignoredMetadata = [
  "managedFields",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "uid",
  "selfLink",
];

/** A copy without the fields the API server maintains. */
export function normalizeForDiff(obj: KubeObject): KubeObject {
  const c = deepCopy(obj);
  for (const f of ignoredMetadata) delete c.metadata[f];
  delete c.status;
  return c;
}

/** True when applying would change the object (a missing live object always counts as drift). */
export function hasDrifted(live: KubeObject | undefined, dryRun: KubeObject): boolean {
  if (!live) return true;
  return changedPaths(normalizeForDiff(live), normalizeForDiff(dryRun)).length > 0;
}

/** JSON paths (`.spec.replicas`, `.data.key`, `.spec.ports[0].port`) where `a` and `b` differ. */
export function changedPaths(a: unknown, b: unknown, path = "", out: string[] = []): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(path || ".");
      return out;
    }
    for (let i = 0; i < a.length; i++) changedPaths(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) changedPaths(a[k], b[k], `${path}.${k}`, out);
    return out;
  }
  if (a !== b) out.push(path || ".");
  return out;
}

/** Masks Secret values so a diff never shows them. */
export function maskSecret(obj: KubeObject): KubeObject {
  if (obj.kind !== "Secret" || obj.apiVersion !== "v1") return obj;
  const c = deepCopy(obj);
  for (const f of ["data", "stringData"]) {
    const d = c[f];
    if (isObject(d)) for (const k of Object.keys(d)) d[k] = "***";
  }
  return c;
}

/** Masks Secret values in a before/after pair, keeping changes visible: `***` when equal, `*** (before)` / `*** (after)` when not. */
export function maskSecretPair(before: KubeObject, after: KubeObject): [KubeObject, KubeObject] {
  if (after.kind !== "Secret" || after.apiVersion !== "v1") return [before, after];
  const b = deepCopy(before);
  const a = deepCopy(after);
  for (const f of ["data", "stringData"]) maskField(b[f], a[f]);
  return [b, a];
}

function maskField(before: unknown, after: unknown): void {
  const bd = isObject(before) ? before : {};
  const ad = isObject(after) ? after : {};
  const b0 = { ...bd };
  for (const k of Object.keys(bd)) bd[k] = b0[k] === ad[k] ? "***" : "*** (before)";
  for (const k of Object.keys(ad)) ad[k] = b0[k] === ad[k] ? "***" : "*** (after)";
}
