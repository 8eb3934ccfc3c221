/**
 * Leader election on a `coordination.k8s.io/v1` Lease: acquire when the lease is free or expired, renew
 * every retry period, give up leadership when a renewal deadline passes, and release (clear the holder)
 * on shutdown so a peer takes over at once. Optimistic concurrency on resourceVersion: two candidates
 * never both win.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../kube/client.ts";
import { isConflict, isNotFound, KubeApiError } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";
import { createObject, getObject, replaceObject } from "../kube/rest.ts";
import { LeaderElectionError } from "./errors.ts";

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** This candidate's identity (e.g. pod name + random suffix). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  private readonly o: Required<LeaderElectionOptions>;
  private leading = false;

  constructor(opts: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  get lease(): string {
    return `${this.o.namespace}/${this.o.name}`;
  }

  isLeader(): boolean {
    return this.leading;
  }

  private header(): KubeObject {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.o.name, namespace: this.o.namespace },
    };
  }

  /** One attempt to acquire or renew; true when this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new Date();
    const spec: LeaseSpec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const live = await getObject(this.o.client, this.header(), { signal });
      if (!live) {
        await createObject(this.o.client, { ...this.header(), spec }, { signal });
        return true;
      }
      const cur = (live.spec ?? {}) as LeaseSpec;
      const mine = cur.holderIdentity === this.o.identity;
      const renewed = cur.renewTime ? Date.parse(cur.renewTime) : 0;
      const expired = renewed + (cur.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
      if (!mine && cur.holderIdentity && !expired) return false;
      const next: LeaseSpec = mine
        ? { ...cur, renewTime: spec.renewTime, leaseDurationSeconds: spec.leaseDurationSeconds }
        : { ...spec, leaseTransitions: (cur.leaseTransitions ?? 0) + 1 };
      await replaceObject(this.o.client, { ...live, spec: next }, { signal });
      return true;
    } catch (err) {
      if (isConflict(err) || (err instanceof KubeApiError && err.statusCode === 409)) return false;
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Resolves once this candidate leads; retries every retry period until `signal` aborts. */
  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      try {
        if (await this.tryAcquireOrRenew(signal)) {
          this.leading = true;
          return;
        }
      } catch (err) {
        if (signal.aborted) throw err;
        // API unavailable: keep trying
      }
      await sleep(this.o.retryPeriodMs, undefined, { signal });
    }
  }

  /**
   * Renews until `signal` aborts (resolves) or a renewal deadline passes (rejects with LeaderElectionError:
   * leadership lost, the caller must stop leader work).
   */
  async holdLeadership(signal: AbortSignal): Promise<void> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.o.retryPeriodMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew(signal);
      } catch {
        ok = false;
      }
      if (ok) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.o.renewDeadlineMs || !(await this.stillHolder(signal))) {
        this.leading = false;
        throw new LeaderElectionError(
          this.lease,
          `leadership lost: could not renew within ${this.o.renewDeadlineMs}ms`,
        );
      }
    }
  }

  private async stillHolder(signal: AbortSignal): Promise<boolean> {
    try {
      const live = await getObject(this.o.client, this.header(), { signal });
      return ((live?.spec ?? {}) as LeaseSpec).holderIdentity === this.o.identity;
    } catch {
      return true; // cannot tell: the deadline decides
    }
  }

  /** Clears the holder so another candidate can take over immediately. */
  async release(signal: AbortSignal): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const live = await getObject(this.o.client, this.header(), { signal });
      const cur = (live?.spec ?? {}) as LeaseSpec;
      if (!live || cur.holderIdentity !== this.o.identity) return;
      await replaceObject(
        this.o.client,
        {
          ...live,
          spec: { ...cur, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime() },
        },
        { signal },
      );
    } catch {
      // best effort: the lease expires on its own
    }
  }
}
