/**
 * Tables as the flux CLI prints them: upper-case headers, left-aligned cells padded to the column width
 * and separated by a tab, no borders.
 */
import type { ObjectSummary } from "./summary.ts";

/** Renders rows under a header; every line ends with a newline, trailing blanks trimmed. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header.map((h) => h.toUpperCase()), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) =>
      header
        .map((_, i) => (r[i] ?? "").padEnd(widths[i] ?? 0))
        .join("\t")
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join("");
}

export const SUMMARY_HEADER = ["Name", "Revision", "Suspended", "Ready", "Message"] as const;

/** Flux's `get` table: NAMESPACE first with `allNamespaces`, names as `kind/name` with `withKind` (get all). */
export function formatSummaries(
  rows: readonly ObjectSummary[],
  opts: { allNamespaces?: boolean; withKind?: boolean } = {},
): string {
  const header = opts.allNamespaces ? ["Namespace", ...SUMMARY_HEADER] : [...SUMMARY_HEADER];
  return formatTable(
    header,
    rows.map((s) => {
      const name = opts.withKind ? `${s.kind.toLowerCase()}/${s.name}` : s.name;
      const cells = [
        name,
        s.revision,
        s.suspended ? "True" : "False",
        s.ready,
        s.message.replace(/\s*\n\s*/g, " "),
      ];
      return opts.allNamespaces ? [s.namespace, ...cells] : cells;
    }),
  );
}
