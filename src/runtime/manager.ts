/**
 * Manager: composes long-running parts (`start(signal)` runnables: informers, controllers, the probe
 * server) and stops them together. Runnables that need leadership start only after this process holds the
 * Lease; losing the lease stops everything (the process should exit and start over, as controller-runtime
 * does). On shutdown it aborts every runnable, waits for them to return, then releases the lease.
 */
import { LeaderElectionError } from "./errors.ts";
import { type LeaderElectionOptions, LeaderElector } from "./leader.ts";

export interface Runnable {
  name: string;
  start(signal: AbortSignal): Promise<void>;
  /** Start only while leading (default true for controllers; informers and probes set false). */
  needLeaderElection?: boolean;
}

export interface ManagerOptions {
  /** Without it every runnable starts at once (single replica). */
  leaderElection?: LeaderElectionOptions;
  /** Called when a runnable fails; the manager then stops everything. */
  onError?(name: string, err: unknown): void;
}

export class Manager {
  private readonly runnables: Runnable[] = [];
  private readonly opts: ManagerOptions;
  readonly elector: LeaderElector | undefined;
  private started = false;

  constructor(opts: ManagerOptions = {}) {
    this.opts = opts;
    this.elector = opts.leaderElection ? new LeaderElector(opts.leaderElection) : undefined;
  }

  add(r: Runnable): void {
    if (this.started)
      throw new Error(`runnable ${r.name} added after the manager started; add it before start()`);
    this.runnables.push(r);
  }

  /** True without leader election, or while holding the lease. */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  /** Runs until `signal` aborts (resolves) or a runnable fails / leadership is lost (rejects). */
  async start(signal: AbortSignal): Promise<void> {
    this.started = true;
    const all = new AbortController();
    const onAbort = () => all.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    let failure: unknown;
    const running: Promise<void>[] = [];
    const run = (r: Runnable) => {
      running.push(
        r.start(all.signal).catch((err) => {
          if (all.signal.aborted) return;
          failure ??= err;
          this.opts.onError?.(r.name, err);
          all.abort(err);
        }),
      );
    };
    try {
      for (const r of this.runnables.filter((x) => x.needLeaderElection === false)) run(r);
      const leaderWork = this.runnables.filter((x) => x.needLeaderElection !== false);
      if (this.elector) {
        try {
          await this.elector.acquire(all.signal);
        } catch (err) {
          if (!all.signal.aborted) failure ??= err;
        }
        if (!all.signal.aborted) {
          running.push(
            this.elector.holdLeadership(all.signal).catch((err) => {
              failure ??=
                err instanceof LeaderElectionError
                  ? err
                  : new LeaderElectionError(this.elector?.lease ?? "", String(err), err);
              all.abort(failure);
            }),
          );
          for (const r of leaderWork) run(r);
        }
      } else {
        for (const r of leaderWork) run(r);
      }
      await new Promise<void>((resolve) => {
        if (all.signal.aborted) resolve();
        else all.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await Promise.all(running);
    } finally {
      signal.removeEventListener("abort", onAbort);
      await this.elector?.release(AbortSignal.timeout(5_000));
    }
    if (failure) throw failure;
  }
}
