/**
 * Kubernetes Events (`events.k8s.io/v1`) about an object, as Flux's recorder emits them: type Normal or
 * Warning, a reason, a note; repeated identical events within the same recorder become a series (count
 * bumped on the existing Event) instead of new objects. The API server serves the same objects as core/v1
 * Events, so `kubectl describe` and `flux events` show them; `annotations` carry Flux's metadata (e.g.
 * `kustomize.toolkit.fluxcd.io/revision`). Failures to record are swallowed: events are advisory and must
 * never fail a reconcile.
 */
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import { createObject, mergePatchObject } from "../kube/rest.ts";
import { microTime } from "./leader.ts";

export interface EventRecorderOptions {
  client: KubeClient;
  /** e.g. `ferry.dev/kustomize-controller` (a qualified name). */
  reportingController: string;
  /** This process (e.g. pod name). */
  reportingInstance: string;
  /** Called when an event could not be written. */
  onError?(err: unknown): void;
}

export type EventType = "Normal" | "Warning";

const maxNote = 1024;
const maxSeries = 1000;

export class EventRecorder {
  private readonly o: EventRecorderOptions;
  private readonly series = new Map<string, { name: string; namespace: string; count: number }>();

  constructor(opts: EventRecorderOptions) {
    this.o = opts;
  }

  async event(
    regarding: KubeObject,
    type: EventType,
    reason: string,
    note: string,
    opts: { signal: AbortSignal; action?: string; annotations?: Record<string, string> },
  ): Promise<void> {
    const namespace = regarding.metadata.namespace || "default";
    const key = [regarding.kind, namespace, regarding.metadata.name, type, reason, note].join("\u0000");
    const text = note.length > maxNote ? `${note.slice(0, maxNote - 3)}...` : note;
    try {
      const prev = this.series.get(key);
      if (prev) {
        prev.count++;
        await mergePatchObject(
          this.o.client,
          {
            apiVersion: "events.k8s.io/v1",
            kind: "Event",
            metadata: { name: prev.name, namespace: prev.namespace },
          },
          { series: { count: prev.count, lastObservedTime: microTime() } },
          { signal: opts.signal },
        );
        return;
      }
      const name = `${regarding.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString("hex")}`;
      await createObject(
        this.o.client,
        {
          apiVersion: "events.k8s.io/v1",
          kind: "Event",
          metadata: { name, namespace, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
          eventTime: microTime(),
          reportingController: this.o.reportingController,
          reportingInstance: this.o.reportingInstance,
          action: opts.action ?? (type === "Warning" ? "ReconcileFailed" : "Reconciled"),
          reason,
          note: text,
          type,
          regarding: {
            apiVersion: regarding.apiVersion,
            kind: regarding.kind,
            name: regarding.metadata.name,
            namespace: regarding.metadata.namespace,
            uid: regarding.metadata.uid,
            resourceVersion: regarding.metadata.resourceVersion,
          },
        },
        { signal: opts.signal },
      );
      this.series.set(key, { name, namespace, count: 1 });
      // Bounded memory: forget the oldest series (a repeat then starts a new Event, as after a restart).
      if (this.series.size > maxSeries) this.series.delete(this.series.keys().next().value as string);
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
