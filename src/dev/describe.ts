/**
 * describeWorkloads: a short text picture of a namespace's Deployments, ReplicaSets, Pods and Events and of
 * the cluster's nodes (Ready, taints, lease), for the failure message of a test that waited for workloads in
 * vain: it tells "the controller never made the Pod" from "nothing scheduled it" from "kwok never made it
 * Ready" from "a node went NotReady".
 */
import { type ApiConnection, apiGetJson } from "./api.ts";
import { leasedNodes } from "./wait.ts";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface Item {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: { nodeName?: string; replicas?: number; taints?: Array<{ key: string; effect: string }> };
  status?: Record<string, unknown> & { conditions?: Condition[]; phase?: string };
}
interface EventItem {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  eventTime?: string;
}

const conds = (cs: Condition[] | undefined): string =>
  (cs ?? []).map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ""}`).join(" ");

/** The picture as text, one line per object; a part that cannot be read says so instead of failing. */
export async function describeWorkloads(
  conn: ApiConnection,
  namespace: string,
  signal?: AbortSignal,
): Promise<string> {
  const list = async <T>(path: string) => (await apiGetJson<{ items: T[] }>(conn, path, signal))?.items;
  const [deployments, replicaSets, pods, events, nodes, leased] = await Promise.all([
    list<Item>(`/apis/apps/v1/namespaces/${namespace}/deployments`),
    list<Item>(`/apis/apps/v1/namespaces/${namespace}/replicasets`),
    list<Item>(`/api/v1/namespaces/${namespace}/pods`),
    list<EventItem>(`/api/v1/namespaces/${namespace}/events`),
    list<Item>("/api/v1/nodes"),
    leasedNodes(conn, signal).catch(() => new Set<string>()),
  ]);
  const out: string[] = [`namespace ${namespace}:`];
  const section = <T>(title: string, items: T[] | undefined, line: (i: T) => string) => {
    if (!items) out.push(`  ${title}: (could not be read)`);
    else if (items.length === 0) out.push(`  ${title}: none`);
    else for (const i of items) out.push(`  ${title.replace(/s$/, "")} ${line(i)}`);
  };
  section("deployments", deployments, (d) => {
    const s = d.status ?? {};
    return `${d.metadata.name}: replicas ${d.spec?.replicas ?? "?"}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}; ${conds(s.conditions)}`;
  });
  section("replicasets", replicaSets, (r) => {
    const s = r.status ?? {};
    return `${r.metadata.name}: replicas ${s.replicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}`;
  });
  section(
    "pods",
    pods,
    (p) =>
      `${p.metadata.name}: node ${p.spec?.nodeName ?? "(none)"}, ${p.status?.phase ?? "?"}${p.metadata.deletionTimestamp ? ", deleting" : ""}; ${conds(p.status?.conditions)}`,
  );
  const when = (e: EventItem) => e.lastTimestamp ?? e.eventTime ?? "";
  section(
    "events",
    events?.sort((a, b) => when(a).localeCompare(when(b))).slice(-20),
    (e) =>
      `${when(e)} ${e.type} ${e.reason} ${e.involvedObject?.kind}/${e.involvedObject?.name}: ${e.message}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ""}`,
  );
  section("nodes", nodes, (n) => {
    const ready = n.status?.conditions?.find((c) => c.type === "Ready");
    const taints = (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(",") || "none";
    return `${n.metadata.name}: Ready=${ready?.status ?? "?"}, taints ${taints}, lease ${leased.has(n.metadata.name) ? "held" : "missing"}`;
  });
  return out.join("\n");
}
