/** Text output of `ferry fleet drift` and `ferry fleet preview`: a table of what differs, then the unified diffs. */
import type { ObjectChange } from "./changes.ts";
import type { ClusterDrift } from "./drift.ts";
import type { FormatOptions } from "./format-status.ts";
import {
  type ClusterPreview,
  type FleetPreview,
  type KustomizationPreview,
  previewCounts,
} from "./preview.ts";
import type { ClusterResult } from "./query.ts";
import { shortRevision } from "./revision.ts";
import { type Cell, type Color, oneLine, paint, table } from "./table.ts";

const MARK: Record<ObjectChange["action"], { sign: string; color: Color }> = {
  added: { sign: "+", color: "green" },
  changed: { sign: "~", color: "yellow" },
  removed: { sign: "-", color: "red" },
};

/** A unified diff indented under its object, `+`/`-` lines coloured on a terminal. */
export function indentDiff(diff: string, indent: string, color: boolean): string {
  return diff
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const c: Color | undefined =
        l.startsWith("+++") || l.startsWith("---")
          ? "bold"
          : l.startsWith("+")
            ? "green"
            : l.startsWith("-")
              ? "red"
              : l.startsWith("@@")
                ? "dim"
                : undefined;
      return `${indent}${paint(l, c, color)}\n`;
    })
    .join("");
}

/** The change list of one Kustomization: `+ ref`, `~ ref (paths)` with its diff, `- ref`. */
export function formatChangeList(changes: readonly ObjectChange[], indent: string, color: boolean): string {
  return changes
    .map((c) => {
      const m = MARK[c.action];
      const head = `${indent}${paint(m.sign, m.color, color)} ${c.ref} ${c.action}${c.paths?.length ? ` (${c.paths.join(", ")})` : ""}\n`;
      return head + (c.diff ? indentDiff(c.diff, `${indent}    `, color) : "");
    })
    .join("");
}

const DRIFT_HEADER = ["Cluster", "Kustomization", "Object", "Drift", "Paths"];

/** Longest error shown in a table cell; longer ones are printed in full below the table. */
const CELL_MAX = 160;

const errorCell = (text: string): Cell => ({ text, color: "red" });

function driftRows(r: ClusterResult<ClusterDrift>): (string | Cell)[][] {
  if (r.error) return [[r.cluster.name, "-", "-", errorCell("error"), oneLine(r.error, 200)]];
  const rows: (string | Cell)[][] = [];
  for (const k of r.value?.kustomizations ?? []) {
    const name = `${k.namespace}/${k.name}`;
    if (k.error) rows.push([r.cluster.name, name, "-", errorCell("error"), oneLine(k.error, CELL_MAX)]);
    for (const c of k.drifted) {
      const what = c.action === "added" ? "missing" : c.action;
      rows.push([
        r.cluster.name,
        name,
        c.ref,
        { text: what, color: MARK[c.action].color },
        (c.paths ?? []).join(", "),
      ]);
    }
  }
  return rows;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The drift table (a row per drifted object, failed Kustomization or unreachable cluster), with diffs on request. */
export function formatDrift(
  results: readonly ClusterResult<ClusterDrift>[],
  opts: FormatOptions & { diff?: boolean } = {},
): string {
  const rows = results.flatMap(driftRows);
  if (rows.length === 0) {
    const checked = results
      .flatMap((r) => r.value?.kustomizations ?? [])
      .filter((k) => !k.skipped && !k.error).length;
    return `no drift in ${plural(checked, "Kustomization")} on ${plural(results.length, "cluster")}\n`;
  }
  let out = table(DRIFT_HEADER, rows, opts);
  for (const r of results) {
    for (const k of r.value?.kustomizations ?? []) {
      if (k.error && k.error.length > CELL_MAX)
        out += `\n${r.cluster.name} Kustomization ${k.namespace}/${k.name}: ${paint("error", "red", !!opts.color)}: ${k.error}\n`;
      const changed = opts.diff ? k.drifted.filter((c) => c.diff) : [];
      if (changed.length === 0) continue;
      out += `\n${r.cluster.name} Kustomization ${k.namespace}/${k.name} (${shortRevision(k.revision)}):\n`;
      out += formatChangeList(changed, "  ", !!opts.color);
    }
  }
  return out;
}

const PREVIEW_HEADER = ["Cluster", "Kustomization", "From", "To", "Added", "Changed", "Removed", "Message"];

function kustomizationRow(cluster: string, k: KustomizationPreview): (string | Cell)[] {
  const n = (a: ObjectChange["action"]) => String(k.changes.filter((c) => c.action === a).length);
  const failed = !!k.error || k.suspended;
  const message: Cell = k.error
    ? errorCell(oneLine(k.error, CELL_MAX))
    : k.suspended
      ? { text: "suspended: would not apply", color: "dim" }
      : { text: k.changes.length === 0 ? "no changes" : "" };
  return [
    cluster,
    `${k.namespace}/${k.name}`,
    shortRevision(k.from) || "-",
    shortRevision(k.to),
    failed ? "-" : n("added"),
    failed ? "-" : n("changed"),
    failed ? "-" : n("removed"),
    message,
  ];
}

function previewRows(r: ClusterResult<ClusterPreview>, tag: string | undefined): (string | Cell)[][] {
  const blank = ["-", "-", "-", "-", "-", "-"];
  if (r.error) return [[r.cluster.name, ...blank, errorCell(oneLine(r.error, 200))]];
  const v = r.value;
  if (!v || v.followers.length === 0) {
    const what = `does not follow ${tag ?? "this repository by semver"}`;
    return [[r.cluster.name, ...blank, { text: what, color: "dim" }]];
  }
  if (v.kustomizations.length === 0) {
    const f = v.followers.map((x) => `${x.namespace}/${x.name}`).join(", ");
    return [[r.cluster.name, ...blank, `OCIRepository ${f} follows, no Kustomization builds from it`]];
  }
  return v.kustomizations.map((k) => kustomizationRow(r.cluster.name, k));
}

/** The preview: a summary row per Kustomization (or per cluster that does not follow, or failed), then each change. */
export function formatPreview(p: FleetPreview, opts: FormatOptions = {}): string {
  const channel = p.tag ? ` as ${p.tag}` : "";
  let out = `candidate ${p.candidate} (${shortRevision(p.digest)})${channel}\n\n`;
  out += table(
    PREVIEW_HEADER,
    p.clusters.flatMap((r) => previewRows(r, p.tag)),
    opts,
  );
  for (const r of p.clusters) {
    for (const k of r.value?.kustomizations ?? []) {
      if (k.error && k.error.length > CELL_MAX)
        out += `\n${r.cluster.name} Kustomization ${k.namespace}/${k.name}: ${paint("error", "red", !!opts.color)}: ${k.error}\n`;
      if (k.changes.length === 0) continue;
      out += `\n${r.cluster.name} Kustomization ${k.namespace}/${k.name}:\n`;
      out += formatChangeList(k.changes, "  ", !!opts.color);
    }
  }
  const c = previewCounts(p);
  const parts = [
    plural(c.changes, "change"),
    c.errors > 0 ? plural(c.errors, "render error") : "",
    c.unreachable > 0 ? `${plural(c.unreachable, "cluster")} not checked` : "",
  ].filter(Boolean);
  return `${out}\n${parts.join(", ")}\n`;
}
