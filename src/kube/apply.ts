/**
 * Apply: owner labels on every object, a server-side dry-run of the whole set (one invalid object = nothing
 * changes), then staged server-side apply — cluster definitions (CRDs, Namespaces, ClusterRoles…) first,
 * waited for until established/active — then the rest. Objects that did not drift are not written.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { type ChangeSetEntry, entryFor } from "./changeset.ts";
import { ApplyError, ImmutableFieldError, ValidationError, WaitTimeoutError } from "./errors.ts";
import type { ResourceManager } from "./manager.ts";
import {
  deepCopy,
  groupOf,
  isClusterDefinition,
  isCRD,
  isNamespace,
  type KubeObject,
  refOf,
  sortForApply,
} from "./object.ts";
import { mapLimit } from "./parallel.ts";
import { type Planned, preflight } from "./preflight.ts";
import { applyObject, deleteObject, getObject, jsonPatchObject } from "./rest.ts";
import { waitForDeletion, waitForReady } from "./wait.ts";

export interface ApplyOptions {
  signal: AbortSignal;
  /** Recreate objects whose immutable fields changed (also per object: `kustomize.toolkit.fluxcd.io/force: enabled`). */
  force?: boolean;
  /** How long to wait for stage one (CRDs established, Namespaces active); default 60 s. */
  waitTimeoutMs?: number;
}

/** Copies the objects and sets the owner labels on each; an object listed twice is a ValidationError. */
export function withOwnerLabels(m: ResourceManager, objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  const dups: Array<{ ref: string; message: string }> = [];
  for (const o of objects) {
    const id = `${groupOf(o.apiVersion ?? "")}/${refOf(o)}`;
    if (seen.has(id))
      dups.push({ ref: refOf(o), message: "the object appears more than once in the set; keep one" });
    seen.add(id);
  }
  if (dups.length > 0) throw new ValidationError(dups);
  return objects.map((o) => {
    const c = deepCopy(o);
    if (Object.keys(m.ownerLabels).length > 0)
      c.metadata.labels = { ...(c.metadata.labels ?? {}), ...m.ownerLabels };
    return c;
  });
}

/** Names the failures as a ValidationError (or an ImmutableFieldError when that is all there is). */
export function throwFailures(planned: readonly Planned[]): void {
  const failed = planned.filter((p) => p.failure);
  if (failed.length === 0) return;
  const first = failed[0] as Planned;
  if (failed.length === 1 && first.failure?.immutableField) {
    throw new ImmutableFieldError(first.ref, first.failure.immutableField, first.failure.message);
  }
  throw new ValidationError(
    failed.map((p) => ({
      ref: p.ref,
      message: p.failure?.immutableField
        ? `immutable field ${p.failure.immutableField}: ${p.failure.message}`
        : (p.failure?.message ?? ""),
    })),
  );
}

export function stageOnePending(stageOne: readonly KubeObject[]): {
  namespaces: Set<string>;
  kinds: Set<string>;
} {
  const namespaces = new Set<string>();
  const kinds = new Set<string>();
  for (const o of stageOne) {
    if (isNamespace(o) && o.metadata.name) namespaces.add(o.metadata.name);
    if (isCRD(o)) {
      const spec = (o.spec ?? {}) as { group?: string; names?: { kind?: string } };
      if (spec.group && spec.names?.kind) kinds.add(`${spec.group}/${spec.names.kind}`);
    }
  }
  return { namespaces, kinds };
}

export async function applyAll(
  m: ResourceManager,
  input: readonly KubeObject[],
  opts: ApplyOptions,
): Promise<ChangeSetEntry[]> {
  const objects = sortForApply(withOwnerLabels(m, input));
  const stageOne = objects.filter(isClusterDefinition);
  const stageTwo = objects.filter((o) => !isClusterDefinition(o));
  const force = opts.force ?? false;
  const pending = stageOnePending(stageOne);

  const planOne = await preflight(m, stageOne, { signal: opts.signal, force });
  const planTwo = await preflight(m, stageTwo, { signal: opts.signal, force, pending });
  throwFailures([...planOne, ...planTwo]);

  await write(m, planOne, opts.signal);
  const touched = planOne
    .filter((p) => p.action === "created" || p.action === "configured")
    .map((p) => p.obj);
  if (touched.length > 0) {
    const timeoutMs = opts.waitTimeoutMs ?? 60_000;
    await waitForReady(m, touched, { signal: opts.signal, timeoutMs, intervalMs: 250 });
    await waitForServedKinds(m, touched.filter(isCRD), opts.signal, timeoutMs);
  }

  const deferred = planTwo.filter((p) => p.deferred).map((p) => p.obj);
  const late = deferred.length > 0 ? await preflight(m, deferred, { signal: opts.signal, force }) : [];
  throwFailures(late);
  const lateRefs = new Set(late.map((p) => p.ref));
  const finalTwo = [...planTwo.filter((p) => !lateRefs.has(p.ref)), ...late];
  await write(m, finalTwo, opts.signal);

  const byRef = new Map([...planOne, ...finalTwo].map((p) => [p.ref, p]));
  return objects.map((o) => {
    const p = byRef.get(entryFor(o, "unchanged").ref) as Planned;
    return entryFor(o, p.action ?? "unchanged", p.reason);
  });
}

/** After a CRD is Established, discovery may lag a little: wait until every version's kind is served. */
async function waitForServedKinds(
  m: ResourceManager,
  crds: KubeObject[],
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  if (crds.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const spec = (crd.spec ?? {}) as {
      group?: string;
      names?: { kind?: string };
      versions?: Array<{ name?: string; served?: boolean }>;
    };
    for (const v of (spec.versions ?? []).filter((x) => x.served !== false)) {
      const apiVersion = `${spec.group}/${v.name}`;
      for (;;) {
        m.client.mapper.invalidate(apiVersion);
        if (await m.client.mapper.has(apiVersion, spec.names?.kind ?? "", signal)) break;
        if (Date.now() > deadline) {
          throw new WaitTimeoutError(timeoutMs, [
            {
              ref: `${spec.names?.kind} in ${apiVersion}`,
              status: "NotFound",
              message: "not served by discovery yet",
            },
          ]);
        }
        await sleep(200, undefined, { signal });
      }
    }
  }
}

/** Writes the drifted objects; unchanged and skipped ones cost nothing. */
async function write(m: ResourceManager, planned: readonly Planned[], signal: AbortSignal): Promise<void> {
  const todo = planned.filter((p) => p.action === "created" || p.action === "configured");
  await mapLimit(todo, m.concurrency, async (p) => {
    try {
      if (p.recreate && p.live) {
        await deleteObject(m.client, p.live, { signal, propagationPolicy: "Background" });
        await waitForDeletion(m, [p.live], { signal, timeoutMs: 60_000, intervalMs: 200 });
      } else if (p.cleanup) {
        await jsonPatchObject(m.client, p.obj, p.cleanup, { signal, fieldManager: m.fieldManager });
      }
      await applyObject(m.client, p.obj, { signal, fieldManager: m.fieldManager, force: true });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ApplyError(
        p.ref,
        p.recreate ? "recreate" : "apply",
        err instanceof Error ? err.message : String(err),
        err,
      );
    }
  });
}

/** Re-reads an object after apply (tests and callers that need the server's view). */
export async function readBack(
  m: ResourceManager,
  obj: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  return await getObject(m.client, obj, { signal });
}
