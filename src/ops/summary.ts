/**
 * One line per object as `flux get` shows it (name, revision, suspended, ready, message) and the
 * `--status-selector type=status` filter, which compares condition type and status case-insensitively.
 */
import { UsageError } from "../errors/index.ts";
import type { KubeClient, KubeObject } from "../kube/index.ts";
import { listOpsObjects } from "./access.ts";
import { isSuspended, type OpsKind } from "./kinds.ts";

export interface ObjectSummary {
  kind: string;
  namespace: string;
  name: string;
  revision: string;
  suspended: boolean;
  /** Status of the Ready condition (`True`, `False`, `Unknown`); `False` when there is none yet. */
  ready: string;
  /** Message of the Ready condition; `waiting to be reconciled` when there is none yet (as flux says). */
  message: string;
}

export interface StatusSelector {
  type: string;
  status: string;
}

interface Cond {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export function conditionsOf(o: KubeObject): Cond[] {
  const c = (o.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Cond[]) : [];
}

export function summarize(k: OpsKind, o: KubeObject): ObjectSummary {
  const ready = conditionsOf(o).find((c) => c.type === "Ready");
  return {
    kind: k.kind,
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name ?? "",
    revision: k.revision(o),
    suspended: isSuspended(k, o),
    ready: ready?.status ?? "False",
    message: ready ? (ready.message ?? "") : "waiting to be reconciled",
  };
}

/** Parses `ready=false`; a missing `=` is a UsageError. */
export function parseStatusSelector(s: string): StatusSelector {
  const i = s.indexOf("=");
  if (i <= 0) {
    throw new UsageError(
      `status selector "${s}" is not in type=status form; write e.g. --status-selector ready=false`,
    );
  }
  return { type: s.slice(0, i), status: s.slice(i + 1) };
}

/** Whether the object has a condition of the selector's type with its status (case-insensitive). */
export function matchesStatus(o: KubeObject, sel: StatusSelector): boolean {
  const t = sel.type.toLowerCase();
  const c = conditionsOf(o).findLast((x) => (x.type ?? "").toLowerCase() === t);
  return c !== undefined && (c.status ?? "").toLowerCase() === sel.status.toLowerCase();
}

export interface ListSummariesOptions {
  signal: AbortSignal;
  /** Undefined: every namespace. */
  namespace?: string;
  name?: string;
  statusSelector?: StatusSelector;
}

/** The summaries of a kind's objects, filtered by the status selector. */
export async function listSummaries(
  client: KubeClient,
  k: OpsKind,
  opts: ListSummariesOptions,
): Promise<ObjectSummary[]> {
  const items = await listOpsObjects(client, k, {
    signal: opts.signal,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  });
  const sel = opts.statusSelector;
  return items.filter((o) => !sel || matchesStatus(o, sel)).map((o) => summarize(k, o));
}
