/**
 * The shared cache: one informer per kind (and namespace/selector), however many controllers watch it, so
 * the agent holds one watch and one copy of each object. It is a runnable: informers asked for before
 * `start` start with it, later ones start at once; `hasSynced` feeds `/readyz`.
 */
import type { KubeClient } from "../kube/client.ts";
import { Informer, type InformerOptions } from "./informer.ts";

export interface InformerCacheOptions {
  client: KubeClient;
  onError?(kind: string, err: unknown): void;
}

export type InformerKey = Pick<InformerOptions, "apiVersion" | "kind" | "namespace" | "labelSelector">;

export class InformerCache {
  readonly name = "informer-cache";
  readonly needLeaderElection = false;
  private readonly opts: InformerCacheOptions;
  private readonly informers = new Map<string, Informer>();
  private running: { signal: AbortSignal; started: Promise<void>[] } | undefined;

  constructor(opts: InformerCacheOptions) {
    this.opts = opts;
  }

  /** The informer for this kind (created on first request, shared afterwards). */
  informerFor(key: InformerKey): Informer {
    const id = `${key.apiVersion}|${key.kind}|${key.namespace ?? ""}|${key.labelSelector ?? ""}`;
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer({
        ...key,
        client: this.opts.client,
        onError: (err) => this.opts.onError?.(key.kind, err),
      });
      this.informers.set(id, inf);
      if (this.running) this.running.started.push(inf.start(this.running.signal));
    }
    return inf;
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async start(signal: AbortSignal): Promise<void> {
    this.running = { signal, started: [...this.informers.values()].map((i) => i.start(signal)) };
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    // Informers added while running are in `started` too.
    await Promise.all(this.running.started);
  }
}
