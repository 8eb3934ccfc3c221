/** The central type of the apply engine: a client, a field manager and owner labels; one file per operation. */
import { type ApplyOptions, applyAll } from "./apply.ts";
import { CelHealthChecker, type HealthCheckExpr } from "./cel.ts";
import type { ChangeSetEntry } from "./changeset.ts";
import type { CleanupOptions } from "./cleanup.ts";
import type { KubeClient } from "./client.ts";
import { type DiffEntry, type DiffOptions, diffAll } from "./diff.ts";
import { computeHealth, type Health } from "./health.ts";
import type { InventoryObject } from "./inventory.ts";
import type { KubeObject } from "./object.ts";
import { type PruneOptions, pruneAll } from "./prune.ts";
import { type WaitOptions, type WaitTarget, waitForReady } from "./wait.ts";

export interface ResourceManagerOptions {
  client: KubeClient;
  /** Field manager for server-side apply; the owner chooses it (e.g. `kustomize-controller`). */
  fieldManager: string;
  /**
   * Labels that mark objects as this owner's (e.g. `kustomize.toolkit.fluxcd.io/name` and `/namespace`):
   * set on every applied object, and required on an object before it is pruned.
   */
  ownerLabels?: Record<string, string>;
  /** Parallel API calls during dry-run, apply and prune (default 8). */
  concurrency?: number;
  /** CEL health checks (Flux's `healthCheckExprs`) that override kstatus for their kinds. */
  healthCheckExprs?: HealthCheckExpr[];
  /** Metadata cleanup before apply (e.g. `fluxCleanupDefaults(fieldManager)`); none by default. */
  cleanup?: CleanupOptions;
}

export class ResourceManager {
  readonly client: KubeClient;
  readonly fieldManager: string;
  readonly ownerLabels: Readonly<Record<string, string>>;
  readonly concurrency: number;
  readonly cel: CelHealthChecker;
  readonly cleanup: CleanupOptions | undefined;

  constructor(opts: ResourceManagerOptions) {
    this.client = opts.client;
    this.fieldManager = opts.fieldManager;
    this.ownerLabels = { ...(opts.ownerLabels ?? {}) };
    this.concurrency = opts.concurrency ?? 8;
    this.cel = new CelHealthChecker(opts.healthCheckExprs ?? []);
    this.cleanup = opts.cleanup;
  }

  /** Dry-run everything, then apply in stages; returns one entry per object. */
  apply(objects: readonly KubeObject[], opts: ApplyOptions): Promise<ChangeSetEntry[]> {
    return applyAll(this, objects, opts);
  }

  /** What `apply` (and optionally `prune`) would do, object by object, without changing anything. */
  diff(objects: readonly KubeObject[], opts: DiffOptions): Promise<DiffEntry[]> {
    return diffAll(this, objects, opts);
  }

  /** Deletes the given inventory objects that still belong to this owner. */
  prune(objects: readonly InventoryObject[], opts: PruneOptions): Promise<ChangeSetEntry[]> {
    return pruneAll(this, objects, opts);
  }

  /** Waits until every target is Current (kstatus or CEL), or fails with what is not ready and why. */
  wait(targets: readonly WaitTarget[], opts: WaitOptions): Promise<void> {
    return waitForReady(this, targets, opts);
  }

  /** Health of one live object: CEL expressions for their kinds, kstatus for the rest. */
  health(obj: KubeObject): Health {
    return this.cel.evaluate(obj) ?? computeHealth(obj);
  }
}
