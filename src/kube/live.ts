/**
 * Reading live objects in bulk: when many objects of one kind share a namespace, one LIST replaces a GET
 * per object (the cost of an unchanged re-apply and of a prune is dominated by these reads). Groups that
 * are small, not served, or not listable (RBAC) fall back to per-object GETs.
 */
import type { KubeClient } from "./client.ts";
import { KubeApiError, UnknownKindError } from "./errors.ts";
import { mapLimit } from "./parallel.ts";
import { getObject, listObjects, type ObjectHeader } from "./rest.ts";

/** Lists a group when it has at least this many objects (default 10). */
export const defaultListThreshold = 10;

function groupKey(o: ObjectHeader): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}`;
}

function objectKey(o: ObjectHeader): string {
  return `${groupKey(o)}|${o.metadata.name ?? ""}`;
}

export class LiveObjects {
  private readonly byKey = new Map<string, ObjectHeader & Record<string, unknown>>();
  private readonly listed = new Set<string>();

  /** True when the object's group was listed, so `get` is authoritative. */
  covers(o: ObjectHeader): boolean {
    return this.listed.has(groupKey(o));
  }

  get<T>(o: ObjectHeader): T | undefined {
    return this.byKey.get(objectKey(o)) as T | undefined;
  }

  /** Lists every group of at least `threshold` objects (concurrently, bounded). */
  static async prefetch(
    client: KubeClient,
    objects: readonly ObjectHeader[],
    opts: { signal: AbortSignal; threshold?: number; concurrency?: number },
  ): Promise<LiveObjects> {
    const live = new LiveObjects();
    const groups = new Map<string, ObjectHeader[]>();
    for (const o of objects) groups.set(groupKey(o), [...(groups.get(groupKey(o)) ?? []), o]);
    const big = [...groups.values()].filter((g) => g.length >= (opts.threshold ?? defaultListThreshold));
    await mapLimit(big, opts.concurrency ?? 4, async (g) => {
      const first = g[0] as ObjectHeader;
      try {
        const m = await client.mapper.resolve(first.apiVersion, first.kind, opts.signal);
        if (m.namespaced && !first.metadata.namespace) return;
        const res = await listObjects(client, first.apiVersion, first.kind, {
          signal: opts.signal,
          namespace: m.namespaced ? first.metadata.namespace : undefined,
        });
        for (const it of res.items) live.byKey.set(objectKey(it), it);
        live.listed.add(groupKey(first));
      } catch (err) {
        if (err instanceof UnknownKindError || err instanceof KubeApiError) return; // per-object GETs decide
        throw err;
      }
    });
    return live;
  }

  /** The live object: from the listed group, else a GET. */
  async read<T extends ObjectHeader>(
    client: KubeClient,
    o: ObjectHeader,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    if (this.covers(o)) return this.get<T>(o);
    return (await getObject(client, o, { signal })) as T | undefined;
  }
}
