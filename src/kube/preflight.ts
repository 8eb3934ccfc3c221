/**
 * Preflight: for each desired object, read the live object and server-side dry-run the apply, then decide
 * the action (created / configured / unchanged / skipped) and whether an immutable change needs a recreate.
 * Shared by apply.ts and diff.ts; changes nothing in the cluster.
 */
import type { Action } from "./changeset.ts";
import { cleanupPatch, type JsonPatchOp } from "./cleanup.ts";
import { hasDrifted } from "./drift.ts";
import { isNotFound, KubeApiError, UnknownKindError } from "./errors.ts";
import { LiveObjects } from "./live.ts";
import type { ResourceManager } from "./manager.ts";
import { annotation, type KubeObject, refOf } from "./object.ts";
import { mapLimit } from "./parallel.ts";
import { applyObject, getObject } from "./rest.ts";

export const ssaAnnotation = "kustomize.toolkit.fluxcd.io/ssa";
export const pruneAnnotation = "kustomize.toolkit.fluxcd.io/prune";
export const forceAnnotation = "kustomize.toolkit.fluxcd.io/force";

export interface Planned {
  obj: KubeObject;
  ref: string;
  live?: KubeObject;
  dryRun?: KubeObject;
  action?: Action;
  reason?: string;
  /** Immutable field changed and force is on: delete, then create. */
  recreate?: { field: string };
  /** JSON patch to run before the apply (field-manager/annotation cleanup, see cleanup.ts). */
  cleanup?: JsonPatchOp[];
  /** Cannot be dry-run yet: its namespace or CRD is created in stage one. */
  deferred?: string;
  failure?: { message: string; immutableField?: string };
}

export interface PreflightOptions {
  signal: AbortSignal;
  force: boolean;
  /** Namespaces created by stage one and group/kinds defined by its CRDs: their dependants are deferred. */
  pending?: { namespaces: Set<string>; kinds: Set<string> };
}

const immutablePatterns = [
  /field is immutable/i,
  /immutable field/i,
  /may not change once set/i,
  /cannot change/i,
  /updates to .* are forbidden/i,
  /field is not mutable/i,
];

export function isImmutableError(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    err.statusCode === 422 &&
    immutablePatterns.some((p) => p.test(err.apiMessage))
  );
}

/** The immutable field: from the Status causes, else parsed from `… is invalid: <field>: …`. */
export function immutableField(err: KubeApiError): string {
  if (err.fields[0]) return err.fields[0];
  const m = /is invalid: ([^:]+):/.exec(err.apiMessage);
  return m?.[1]?.trim() ?? "";
}

function kindKey(obj: KubeObject): string {
  return `${obj.apiVersion.split("/")[0]}/${obj.kind}`;
}

export async function preflight(
  m: ResourceManager,
  objects: readonly KubeObject[],
  opts: PreflightOptions,
): Promise<Planned[]> {
  const live = await LiveObjects.prefetch(m.client, objects, {
    signal: opts.signal,
    concurrency: m.concurrency,
  });
  return await mapLimit(objects, m.concurrency, (obj) => planOne(m, obj, opts, live));
}

async function planOne(
  m: ResourceManager,
  obj: KubeObject,
  opts: PreflightOptions,
  live: LiveObjects,
): Promise<Planned> {
  const p: Planned = { obj, ref: refOf(obj) };
  const policy = annotation(obj, ssaAnnotation);
  if (policy === "Ignore") return { ...p, action: "skipped", reason: `${ssaAnnotation}: Ignore` };
  const dependsOnStageOne = () => stageOneDependency(obj, opts.pending);
  const scope = await scopeProblem(m, obj, opts.signal);
  if (scope) return { ...p, failure: { message: scope } };
  const read = await readLive(m, p, live, opts.signal, dependsOnStageOne);
  if (read) return read;
  if (p.live && annotation(p.live, ssaAnnotation) === "Ignore") {
    return { ...p, action: "skipped", reason: `${ssaAnnotation}: Ignore (in cluster)` };
  }
  if (policy === "IfNotPresent" && p.live) {
    return { ...p, action: "skipped", reason: `${ssaAnnotation}: IfNotPresent` };
  }
  try {
    p.dryRun = await applyObject(m.client, obj, {
      signal: opts.signal,
      fieldManager: m.fieldManager,
      force: true,
      dryRun: true,
    });
  } catch (err) {
    return dryRunFailed(p, err, opts, dependsOnStageOne);
  }
  return await decide(m, p, opts.signal);
}

function stageOneDependency(obj: KubeObject, pending: PreflightOptions["pending"]): string | undefined {
  const ns = obj.metadata.namespace;
  if (ns && pending?.namespaces.has(ns)) return `Namespace/${ns} is created first`;
  if (pending?.kinds.has(kindKey(obj))) return "its CustomResourceDefinition is applied first";
  return undefined;
}

/** Sets `p.live`; returns a finished plan when the read already decides (deferred or failed). */
async function readLive(
  m: ResourceManager,
  p: Planned,
  live: LiveObjects,
  signal: AbortSignal,
  dependsOnStageOne: () => string | undefined,
): Promise<Planned | undefined> {
  try {
    p.live = await live.read<KubeObject>(m.client, p.obj, signal);
    return undefined;
  } catch (err) {
    if (err instanceof UnknownKindError) {
      const dep = dependsOnStageOne();
      return dep ? { ...p, deferred: dep } : { ...p, failure: { message: err.message } };
    }
    if (err instanceof KubeApiError) return { ...p, failure: { message: err.apiMessage || err.message } };
    throw err;
  }
}

/** created / configured / unchanged from the dry-run result, the live object and the cleanup patch. */
async function decide(m: ResourceManager, p: Planned, signal: AbortSignal): Promise<Planned> {
  const dryRun = p.dryRun as KubeObject;
  if (p.live && dryRun.metadata.resourceVersion !== p.live.metadata.resourceVersion) {
    // The object changed after it was read (a controller wrote it): compare with what the dry-run saw.
    p.live = await getObject(m.client, p.obj, { signal });
  }
  if (p.live && m.cleanup) {
    const ops = cleanupPatch(p.obj, p.live, m.cleanup, m.fieldManager);
    if (ops.length > 0) p.cleanup = ops;
  }
  p.action = !p.live ? "created" : p.cleanup || hasDrifted(p.live, dryRun) ? "configured" : "unchanged";
  return p;
}

/** A missing name, or a namespace that does not fit the kind's scope, named before any request is made. */
async function scopeProblem(
  m: ResourceManager,
  obj: KubeObject,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (!obj.apiVersion || !obj.kind) return "apiVersion and kind are required";
  if (!obj.metadata?.name) return "metadata.name is required (generateName is not supported by apply)";
  let namespaced: boolean;
  try {
    namespaced = (await m.client.mapper.resolve(obj.apiVersion, obj.kind, signal)).namespaced;
  } catch {
    return undefined; // unknown kinds are handled (deferred or reported) by the read
  }
  if (namespaced && !obj.metadata.namespace) return `${obj.kind} is namespaced: set metadata.namespace`;
  if (!namespaced && obj.metadata.namespace) {
    return `${obj.kind} is cluster-scoped: remove metadata.namespace (${obj.metadata.namespace})`;
  }
  return undefined;
}

function dryRunFailed(
  p: Planned,
  err: unknown,
  opts: PreflightOptions,
  dependsOnStageOne: () => string | undefined,
): Planned {
  if (!(err instanceof KubeApiError)) throw err;
  if (isNotFound(err) && !p.live) {
    const dep = dependsOnStageOne();
    if (dep) return { ...p, deferred: dep };
  }
  if (isImmutableError(err) && p.live) {
    const field = immutableField(err);
    if (
      opts.force ||
      annotation(p.obj, forceAnnotation) === "enabled" ||
      (p.live && annotation(p.live, forceAnnotation) === "enabled")
    ) {
      return {
        ...p,
        action: "created",
        reason: `recreated: immutable field ${field || "(unknown)"} changed`,
        recreate: { field },
      };
    }
    return { ...p, failure: { message: err.apiMessage, immutableField: field || "(unknown)" } };
  }
  return { ...p, failure: { message: err.apiMessage || err.message } };
}
