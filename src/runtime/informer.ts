/**
 * Informer: list a kind, then watch from the list's resourceVersion (with bookmarks), keeping a cache and
 * calling handlers on add/update/delete. A watch that ends cleanly (server timeout) resumes from the last
 * resourceVersion; a `410 Gone` or a broken connection re-lists, and the re-list emits the differences as
 * events. Errors back off exponentially; the informer runs until its signal aborts. Built on
 * client-node's `Watch`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Watch } from "@kubernetes/client-node";
import type { KubeClient } from "../kube/client.ts";
import { resourcePath } from "../kube/mapper.ts";
import type { KubeObject } from "../kube/object.ts";
import { listObjects } from "../kube/rest.ts";
import { Backoff } from "./backoff.ts";

export interface EventHandler {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions {
  client: KubeClient;
  apiVersion: string;
  kind: string;
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  /** Reconnect backoff (default 200 ms doubling up to 30 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Server-side watch timeout; the watch then resumes from the last resourceVersion (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Called with each list/watch failure before the informer backs off and retries. */
  onError?(err: unknown): void;
}

/** Cache key: `namespace/name`, or `name` for cluster-scoped objects. */
export function cacheKey(obj: { metadata: { name?: string; namespace?: string } }): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name}`
    : (obj.metadata.name ?? "");
}

class GoneError extends Error {
  override name = "GoneError";
}

export class Informer {
  readonly apiVersion: string;
  readonly kind: string;
  private readonly opts: InformerOptions;
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: EventHandler[] = [];
  private readonly syncWaiters: Array<() => void> = [];
  private synced = false;
  private resourceVersion = "";
  /** How many lists and watches were started (tests assert re-lists and resumes). */
  readonly stats = { lists: 0, watches: 0, errors: 0 };

  constructor(opts: InformerOptions) {
    this.opts = opts;
    this.apiVersion = opts.apiVersion;
    this.kind = opts.kind;
  }

  /** Registers handlers; objects already cached are replayed as adds. */
  addHandler(h: EventHandler): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.cache.values()) h.onAdd?.(o);
  }

  /** The cached object (shared with every handler and controller: treat it as read-only, copy to change). */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves once the first list has filled the cache. */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: this.opts.backoffBaseMs, maxMs: this.opts.backoffMaxMs });
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          backoff.reset();
        }
        await this.watchOnce(signal, () => backoff.reset());
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof GoneError) {
          needList = true;
          continue;
        }
        // A broken connection may have missed events: re-list rather than trust the resume point.
        needList = true;
        this.stats.errors++;
        this.opts.onError?.(err);
        await sleep(backoff.next(), undefined, { signal }).catch(() => {});
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    this.stats.lists++;
    const res = await listObjects(this.opts.client, this.apiVersion, this.kind, {
      signal,
      namespace: this.opts.namespace,
      labelSelector: this.opts.labelSelector,
    });
    const seen = new Set<string>();
    for (const o of res.items) {
      const k = cacheKey(o);
      seen.add(k);
      this.upsert(o);
    }
    for (const [k, o] of [...this.cache]) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        for (const h of this.handlers) h.onDelete?.(o);
      }
    }
    this.resourceVersion = res.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private upsert(o: KubeObject): void {
    const k = cacheKey(o);
    const old = this.cache.get(k);
    if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) return;
    this.cache.set(k, o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }

  /** One watch connection; resolves when the server or a timeout ends it, rejects on errors (GoneError on 410). */
  private async watchOnce(signal: AbortSignal, onEvent: () => void): Promise<void> {
    const m = await this.opts.client.mapper.resolve(this.apiVersion, this.kind, signal);
    const path = resourcePath(m, this.opts.namespace);
    this.stats.watches++;
    await new Promise<void>((resolve, reject) => {
      let ctrl: AbortController | undefined;
      const onAbort = () => ctrl?.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      const finish = (err?: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve();
      };
      let failed: unknown;
      new Watch(this.opts.client.kubeConfig)
        .watch(
          path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            labelSelector: this.opts.labelSelector,
            timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300,
          },
          (type: string, obj: KubeObject & { code?: number; message?: string }) => {
            onEvent();
            if (type === "ERROR") {
              failed =
                obj.code === 410
                  ? new GoneError(obj.message ?? "Gone")
                  : new Error(obj.message ?? "watch error");
              ctrl?.abort();
              return;
            }
            if (obj?.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            if (type === "BOOKMARK") return;
            const full = { ...obj, apiVersion: this.apiVersion, kind: this.kind };
            if (type === "DELETED") {
              const k = cacheKey(full);
              const old = this.cache.get(k);
              this.cache.delete(k);
              for (const h of this.handlers) h.onDelete?.(old ?? full);
            } else this.upsert(full);
          },
          (err: unknown) => {
            if (failed) return finish(failed);
            if (signal.aborted) return finish();
            const code = (err as { statusCode?: number } | null)?.statusCode;
            if (code === 410) return finish(new GoneError("Gone"));
            if (err && !(err instanceof DOMException && err.name === "TimeoutError")) return finish(err);
            finish();
          },
        )
        .then((c) => {
          ctrl = c;
          if (signal.aborted) c.abort();
        }, finish);
    });
  }
}
