/**
 * Shared informers: one watch and one cache per kind for the whole agent (ADR 001), handed to every
 * controller that asks for the kind; the agent runs each informer once.
 */
import type { KubeClient } from "../kube/index.ts";
import { Informer, type Runnable } from "../runtime/index.ts";
import type { Logger } from "./log.ts";

export class SharedInformers {
  private readonly kube: KubeClient;
  private readonly namespace: string | undefined;
  private readonly log: Logger;
  private readonly byKind = new Map<string, Informer>();

  constructor(opts: { kube: KubeClient; namespace?: string | undefined; log: Logger }) {
    this.kube = opts.kube;
    this.namespace = opts.namespace;
    this.log = opts.log;
  }

  /** The informer of a kind (created on first use, scoped like the agent). */
  readonly get = (apiVersion: string, kind: string): Informer => {
    const key = `${apiVersion}/${kind}`;
    let inf = this.byKind.get(key);
    if (!inf) {
      inf = new Informer({
        client: this.kube,
        apiVersion,
        kind,
        namespace: this.namespace,
        onError: (err) => this.log.error("watch failed", { kind: key, error: String(err) }),
      });
      this.byKind.set(key, inf);
    }
    return inf;
  };

  all(): Informer[] {
    return [...this.byKind.values()];
  }

  /** One runnable per informer created so far (call after every controller was set up). */
  runnables(): Runnable[] {
    return [...this.byKind.entries()].map(([key, inf]) => ({
      name: `informer/${key}`,
      needLeaderElection: false,
      start: (s: AbortSignal) => inf.start(s),
    }));
  }
}
