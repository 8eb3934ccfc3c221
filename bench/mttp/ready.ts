/**
 * Watches the benchmark's OCIRepositories and Kustomizations (one informer per kind) and records, per object,
 * when it was first seen Ready=True for its current generation, as the benchmark's readiness wait does.
 */
import type { KubeClient, KubeObject } from "../../src/kube/index.ts";
import { Informer } from "../../src/runtime/index.ts";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type Status = { observedGeneration?: number; conditions?: Condition[] };

function readyCondition(o: KubeObject): Condition | undefined {
  return ((o as { status?: Status }).status?.conditions ?? []).find((c) => c.type === "Ready");
}

function isReady(o: KubeObject): boolean {
  const st = (o as { status?: Status }).status;
  return (
    readyCondition(o)?.status === "True" && (st?.observedGeneration ?? -1) >= (o.metadata.generation ?? 0)
  );
}

export interface KindProgress {
  kind: string;
  total: number;
  /** Milliseconds (performance.now) at which each object was first seen Ready. */
  readyAt: Map<string, number>;
}

export interface ReadyTracker {
  progress: KindProgress[];
  /** Resolves when every object of every kind is Ready; rejects on timeout with what is not Ready. */
  done: Promise<void>;
  stop(): void;
}

export function trackReady(opts: {
  client: KubeClient;
  namespace: string;
  kinds: Array<{ apiVersion: string; kind: string }>;
  total: number;
  timeoutMs: number;
  signal: AbortSignal;
}): ReadyTracker {
  const ac = new AbortController();
  const signal = AbortSignal.any([ac.signal, opts.signal]);
  const progress: KindProgress[] = [];
  const informers: Informer[] = [];
  let resolveDone: () => void = () => {};
  let rejectDone: (e: unknown) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const check = () => {
    if (progress.every((p) => p.readyAt.size >= p.total)) resolveDone();
  };
  for (const k of opts.kinds) {
    const p: KindProgress = { kind: k.kind, total: opts.total, readyAt: new Map() };
    progress.push(p);
    const inf = new Informer({ client: opts.client, ...k, namespace: opts.namespace });
    informers.push(inf);
    const seen = (o: KubeObject) => {
      const name = o.metadata.name ?? "";
      if (!p.readyAt.has(name) && isReady(o)) {
        p.readyAt.set(name, performance.now());
        check();
      }
    };
    inf.addHandler({ onAdd: seen, onUpdate: (_old, o) => seen(o) });
    void inf.start(signal);
  }
  const timer = setTimeout(() => {
    const notReady: string[] = [];
    for (const [i, inf] of informers.entries()) {
      for (const o of inf.list()) {
        if (progress[i]!.readyAt.has(o.metadata.name ?? "")) continue;
        const c = readyCondition(o);
        notReady.push(
          `${inf.kind}/${o.metadata.name}: ${c ? `${c.reason}: ${c.message}` : "no Ready condition"}`,
        );
      }
    }
    const counts = progress.map((p) => `${p.readyAt.size}/${p.total} ${p.kind}`).join(", ");
    rejectDone(
      new Error(
        `not every object was Ready within ${opts.timeoutMs / 1000} s (${counts}); first not Ready: ${notReady.slice(0, 5).join("; ")}`,
      ),
    );
  }, opts.timeoutMs);
  void done.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return {
    progress,
    done,
    stop: () => {
      clearTimeout(timer);
      ac.abort();
    },
  };
}
