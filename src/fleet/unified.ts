/**
 * Unified diffs of two texts, line by line (`--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks with three lines of
 * context), from a longest-common-subsequence table. Inputs are single Kubernetes objects as YAML, small
 * enough for the quadratic table; past `maxCells` the whole text is shown as replaced.
 */

export interface UnifiedOptions {
  fromLabel?: string;
  toLabel?: string;
  context?: number;
  /** Largest LCS table (lines × lines) computed before falling back to a whole replacement. */
  maxCells?: number;
}

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function editScript(a: string[], b: string[], maxCells: number): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > maxCells) {
    return [
      ...a.map((line, i) => ({ kind: "-" as const, line, a: i, b: 0 })),
      ...b.map((line, j) => ({ kind: "+" as const, line, a: n, b: j })),
    ];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], in one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string, a: i, b: j });
      i++;
      j++;
    } else if ((lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0)) {
      ops.push({ kind: "-", line: a[i] as string, a: i, b: j });
      i++;
    } else {
      ops.push({ kind: "+", line: b[j] as string, a: i, b: j });
      j++;
    }
  }
  for (; i < n; i++) ops.push({ kind: "-", line: a[i] as string, a: i, b: j });
  for (; j < m; j++) ops.push({ kind: "+", line: b[j] as string, a: i, b: j });
  return ops;
}

/** `start,count` of a hunk side, 1-based, as diff prints it (`0,0` side of an empty range keeps the line before). */
function range(start: number, count: number): string {
  const s = count === 0 ? start : start + 1;
  return count === 1 ? `${s}` : `${s},${count}`;
}

/** The unified diff of `from` and `to`; an empty string when they are equal. */
export function unifiedDiff(from: string, to: string, opts: UnifiedOptions = {}): string {
  const context = opts.context ?? 3;
  const ops = editScript(splitLines(from), splitLines(to), opts.maxCells ?? 4_000_000);
  const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return "";
  // Group changes whose context windows touch into hunks.
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const lo = Math.max(0, k - context);
    const hi = Math.min(ops.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else hunks.push([lo, hi]);
  }
  const out = [`--- ${opts.fromLabel ?? "a"}`, `+++ ${opts.toLabel ?? "b"}`];
  for (const [lo, hi] of hunks) {
    const slice = ops.slice(lo, hi + 1);
    const first = slice[0] as Op;
    const aCount = slice.filter((o) => o.kind !== "+").length;
    const bCount = slice.filter((o) => o.kind !== "-").length;
    out.push(`@@ -${range(first.a, aCount)} +${range(first.b, bCount)} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join("\n")}\n`;
}
