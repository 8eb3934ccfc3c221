/**
 * Chart.yaml dependencies as Helm processes them before rendering: aliases (a copy of the subchart under
 * the alias name), `tags` and `condition` (disabled subcharts dropped, evaluated on the coalesced values
 * at each level), then `import-values` (child tables copied into the parent's values, bottom-up). Returns
 * a processed copy; the loaded chart is left as it was.
 */
import { parseConstraint, parseLenient } from "../semver/index.ts";
import { type Chart, type ChartDependency, copyChart } from "./chart.ts";
import {
  coalesceTables,
  coalesceValues,
  deepCopy,
  isTable,
  mergeValues,
  pathValue,
  table,
  type Values,
} from "./values.ts";

/** Helm's IsCompatibleRange: the version satisfies the constraint; false when either does not parse. */
export function isCompatibleRange(constraint: string | undefined, version: string): boolean {
  try {
    return parseConstraint(constraint ?? "").check(parseLenient(version));
  } catch {
    return false;
  }
}

export function processDependencies(chart: Chart, vals: Values): Chart {
  const c = copyChart(chart);
  processEnabled(c, vals, "");
  processImportValues(c);
  return c;
}

function processEnabled(c: Chart, v: Values, path: string): void {
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const deps: Chart[] = [];
  for (const existing of c.dependencies) {
    const matched = reqs.some(
      (r) => existing.metadata.name === r.name && isCompatibleRange(r.version, existing.metadata.version),
    );
    if (!matched) deps.push(existing);
  }
  for (const req of reqs) {
    const found = c.dependencies.find(
      (d) => d.metadata.name === req.name && isCompatibleRange(req.version, d.metadata.version),
    );
    if (found) {
      const alias = copyChart(found, c);
      if (req.alias) alias.metadata.name = req.alias;
      deps.push(alias);
    }
    if (req.alias) req.name = req.alias;
  }
  c.dependencies = deps;
  for (const r of reqs) r.enabled = true;
  const cvals = coalesceValues(c, v);
  processTags(reqs, cvals);
  processConditions(reqs, cvals, path);
  const off = new Set(reqs.filter((r) => !r.enabled).map((r) => r.name));
  c.dependencies = c.dependencies.filter((d) => !off.has(d.metadata.name));
  c.metadata.dependencies = reqs.filter((r) => !off.has(r.name));
  for (const d of c.dependencies) processEnabled(d, cvals, `${path}${d.metadata.name}.`);
}

function processConditions(reqs: ChartDependency[], cvals: Values, path: string): void {
  for (const r of reqs) {
    for (const cond of (r.condition ?? "").trim().split(",")) {
      if (cond.length === 0) continue;
      const vv = pathValue(cvals, path + cond);
      if (typeof vv === "boolean") {
        r.enabled = vv;
        break;
      }
    }
  }
}

function processTags(reqs: ChartDependency[], cvals: Values): void {
  const vt = table(cvals, "tags");
  if (!vt) return;
  for (const r of reqs) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags ?? []) {
      const b = vt[k];
      if (b === true) hasTrue = true;
      else if (b === false) hasFalse = true;
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else r.enabled = true;
  }
}

function processImportValues(c: Chart): void {
  for (const d of c.dependencies) processImportValues(d);
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const cvals = mergeValues(c, null);
  let b: Values = {};
  for (const r of reqs) {
    const out: unknown[] = [];
    for (const iv of r["import-values"] ?? []) {
      if (isTable(iv)) {
        const child = goString(iv.child);
        const parent = goString(iv.parent);
        out.push({ child, parent });
        const vv = table(cvals, `${r.name}.${child}`);
        if (vv) b = coalesceTables(b, pathToMap(parent, deepCopy(vv)), true);
      } else if (typeof iv === "string") {
        out.push({ child: `exports.${iv}`, parent: "." });
        const vm = table(cvals, `${r.name}.exports.${iv}`);
        if (vm) b = coalesceTables(b, deepCopy(vm), true);
      }
    }
    r["import-values"] = out;
  }
  // The parent's own values win over imported ones (Helm's MergeTables keeps what dst has).
  c.values = coalesceTables(deepCopy(cvals), b, true);
}

function goString(v: unknown): string {
  return v === undefined || v === null ? "<nil>" : String(v);
}

function pathToMap(path: string, data: Values): Values {
  if (path === ".") return data;
  const parts = path.split(".").filter((p) => p !== "");
  let cur: Values = data;
  for (let i = parts.length - 1; i >= 0; i--) cur = { [parts[i] as string]: cur };
  return cur;
}
