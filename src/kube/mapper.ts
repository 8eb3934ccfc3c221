/** REST mapping: which resource (plural name, scope) serves an apiVersion/kind, from cached discovery. */
import type { KubeClient } from "./client.ts";
import { isNotFound, UnknownKindError } from "./errors.ts";
import { groupOf, versionOf } from "./object.ts";

export interface ResourceMapping {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
  /** Subresources served, e.g. `status`, `scale`. */
  subresources: string[];
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Discovery cache per group/version; a miss re-reads discovery once (a CRD may have just been created). */
export class RestMapper {
  private readonly client: KubeClient;
  private readonly cache = new Map<string, Promise<Map<string, ResourceMapping>>>();

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** Forgets one group/version (or everything), e.g. after a CRD was applied or removed. */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.cache.clear();
    else this.cache.delete(apiVersion);
  }

  async resolve(apiVersion: string, kind: string, signal: AbortSignal): Promise<ResourceMapping> {
    let kinds = await this.load(apiVersion, signal);
    let m = kinds.get(kind);
    if (!m) {
      this.cache.delete(apiVersion);
      kinds = await this.load(apiVersion, signal);
      m = kinds.get(kind);
    }
    if (!m) throw new UnknownKindError(apiVersion, kind);
    return m;
  }

  /** Whether the kind is served, without throwing. */
  async has(apiVersion: string, kind: string, signal: AbortSignal): Promise<boolean> {
    try {
      await this.resolve(apiVersion, kind, signal);
      return true;
    } catch (err) {
      if (err instanceof UnknownKindError) return false;
      throw err;
    }
  }

  private load(apiVersion: string, signal: AbortSignal): Promise<Map<string, ResourceMapping>> {
    let p = this.cache.get(apiVersion);
    if (!p) {
      p = this.fetch(apiVersion, signal);
      this.cache.set(apiVersion, p);
      p.catch(() => this.cache.delete(apiVersion));
    }
    return p;
  }

  private async fetch(apiVersion: string, signal: AbortSignal): Promise<Map<string, ResourceMapping>> {
    const group = groupOf(apiVersion);
    const version = versionOf(apiVersion);
    const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    const out = new Map<string, ResourceMapping>();
    let list: { resources?: APIResource[] };
    try {
      list = await this.client.request<{ resources?: APIResource[] }>({ path, signal });
    } catch (err) {
      if (isNotFound(err)) return out;
      throw err;
    }
    const subs = new Map<string, string[]>();
    for (const r of list.resources ?? []) {
      const slash = r.name.indexOf("/");
      if (slash >= 0) {
        const base = r.name.slice(0, slash);
        subs.set(base, [...(subs.get(base) ?? []), r.name.slice(slash + 1)]);
      }
    }
    for (const r of list.resources ?? []) {
      if (r.name.includes("/")) continue;
      out.set(r.kind, {
        group,
        version,
        kind: r.kind,
        resource: r.name,
        namespaced: r.namespaced,
        verbs: r.verbs ?? [],
        subresources: subs.get(r.name) ?? [],
      });
    }
    return out;
  }
}

/** URL path of a collection (`name` omitted) or of one object, optionally a subresource. */
export function resourcePath(
  m: ResourceMapping,
  namespace: string | undefined,
  name?: string,
  sub?: string,
): string {
  const root = m.group === "" ? `/api/${m.version}` : `/apis/${m.group}/${m.version}`;
  const ns = m.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const n = name === undefined ? "" : `/${encodeURIComponent(name)}`;
  const s = sub && name !== undefined ? `/${sub}` : "";
  return `${root}${ns}/${m.resource}${n}${s}`;
}
