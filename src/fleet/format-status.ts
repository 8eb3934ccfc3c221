/** Text output of `ferry fleet status` and `ferry fleet versions`: one row per cluster, the problem list, the version matrix. */
import type { ClusterResult } from "./query.ts";
import { shortRevision } from "./revision.ts";
import type { ClusterStatus, KindCount } from "./status.ts";
import { type Cell, oneLine, table } from "./table.ts";
import { cellText, type FleetVersions } from "./versions.ts";

export interface FormatOptions {
  /** ANSI colours (a terminal only). */
  color?: boolean;
}

const STATUS_HEADER = [
  "Cluster",
  "Ready",
  "Source",
  "Revision",
  "Kustomizations",
  "ResourceSets",
  "Sources",
  "Suspended",
  "Last applied",
  "Message",
];

function count(c: KindCount | undefined): Cell {
  if (!c) return { text: "-" };
  return { text: `${c.ready}/${c.total}`, color: c.ready < c.total ? "yellow" : undefined };
}

function readyCell(ready: string): Cell {
  return { text: ready, color: ready === "True" ? "green" : ready === "False" ? "red" : "yellow" };
}

/** Whether the cluster counts as Ready for the exit code: reachable and every object Ready. */
export function clusterReady(r: ClusterResult<ClusterStatus>): boolean {
  return !r.error && r.value?.ready === true;
}

function statusRow(r: ClusterResult<ClusterStatus>): (string | Cell)[] {
  if (r.error || !r.value) {
    return [
      r.cluster.name,
      readyCell("False"),
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      { text: oneLine(r.error ?? ""), color: "red" },
    ];
  }
  const s = r.value;
  const source = s.instance ? `${s.instance.source.replace(/^oci:\/\//, "")}:${s.instance.ref}` : "-";
  const revision = s.instance?.revision ? shortRevision(s.instance.revision) : "-";
  const problems = s.problems.filter((p) => p.ready === "False").length;
  const progressing = s.problems.length - problems;
  const message = [
    problems > 0 ? `${problems} failing` : "",
    progressing > 0 ? `${progressing} reconciling` : "",
    s.missingKinds.length > 0 ? `not installed: ${s.missingKinds.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
  return [
    r.cluster.name,
    readyCell(s.ready ? "True" : problems > 0 ? "False" : "Unknown"),
    source,
    revision,
    count(s.counts.Kustomization),
    count(s.counts.ResourceSet),
    count(s.counts.OCIRepository),
    String(s.suspended),
    s.lastApplied ?? "-",
    message,
  ];
}

const PROBLEM_HEADER = ["Cluster", "Kind", "Namespace", "Name", "Ready", "Reason", "Message"];

function problemRows(results: readonly ClusterResult<ClusterStatus>[]): (string | Cell)[][] {
  const rows: (string | Cell)[][] = [];
  for (const r of results) {
    if (r.error) {
      rows.push([
        r.cluster.name,
        "Cluster",
        "-",
        r.cluster.name,
        readyCell("False"),
        r.errorName ?? "Error",
        oneLine(r.error, 200),
      ]);
      continue;
    }
    for (const p of r.value?.problems ?? []) {
      rows.push([
        r.cluster.name,
        p.kind,
        p.namespace || "-",
        p.name,
        readyCell(p.ready),
        p.reason || "-",
        oneLine(p.message),
      ]);
    }
  }
  return rows;
}

/** The status table, followed by the not-Ready objects (and unreachable clusters) when there are any. */
export function formatStatus(
  results: readonly ClusterResult<ClusterStatus>[],
  opts: FormatOptions = {},
): string {
  const main = table(STATUS_HEADER, results.map(statusRow), opts);
  const problems = problemRows(results).filter((r) => r[1] !== "Cluster");
  return problems.length > 0 ? `${main}\n${table(PROBLEM_HEADER, problems, opts)}` : main;
}

/** `--failing`: only the problems, one row each (an unreachable cluster is one row); a line when there are none. */
export function formatFailing(
  results: readonly ClusterResult<ClusterStatus>[],
  opts: FormatOptions = {},
): string {
  const rows = problemRows(results);
  if (rows.length === 0)
    return `no failing objects on ${results.length} cluster${results.length === 1 ? "" : "s"}\n`;
  return table(PROBLEM_HEADER, rows, opts);
}

/** The version matrix (source × cluster), then one line per cluster that is behind or could not be read. */
export function formatVersions(
  v: FleetVersions,
  results: readonly ClusterResult<unknown>[],
  opts: FormatOptions = {},
): string {
  const down = new Map(results.filter((r) => r.error).map((r) => [r.cluster.name, r.error ?? ""]));
  const rows = v.rows.map((row) => [
    row.url,
    ...v.clusters.map((c): Cell => {
      if (down.has(c)) return { text: "?", color: "red" };
      const cells = row.cells.filter((x) => x.cluster === c);
      if (cells.length === 0) return { text: "-", color: "dim" };
      const behind = cells.some((x) => x.state === "behind" || x.state === "unknown");
      return { text: cells.map(cellText).join(", "), color: behind ? "yellow" : undefined };
    }),
  ]);
  let out =
    rows.length > 0
      ? table(["SOURCE", ...v.clusters], rows, { ...opts, keepHeaderCase: true })
      : "no OCIRepository on any cluster\n";
  const notes: string[] = [];
  for (const row of v.rows) {
    for (const c of row.cells) {
      const what = `${c.cluster}: OCIRepository ${c.namespace}/${c.name} (${row.url}, follows ${c.follows})`;
      if (c.state === "behind")
        notes.push(
          `${what} runs ${shortRevision(c.revision)}, the registry has ${shortRevision(c.latest ?? "")}`,
        );
      if (c.state === "unknown")
        notes.push(`${what}: registry lookup failed: ${oneLine(c.error ?? "", 200)}`);
    }
  }
  for (const [name, error] of down) notes.push(`${name}: ${oneLine(error, 200)}`);
  if (notes.length > 0) out += `\n${notes.join("\n")}\n`;
  return out;
}
