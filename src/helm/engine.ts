/**
 * Renders every template of a chart tree as Helm's engine does: one template set ("gotpl", missingkey=zero)
 * holding all files of all subcharts, parsed deepest first so the parent's `define`s win; each non-partial
 * file executed with its chart's `.Values`, `.Chart`, `.Files`, `.Subcharts`, the shared `.Release` and
 * `.Capabilities`, and `.Template`; "<no value>" dropped from the output. Library charts contribute
 * partials only.
 */
import { type FuncMap, fn, GoNumber, parse, type Template, TemplateError } from "../template/index.ts";
import { type Chart, chartFullPath, isLibraryChart } from "./chart.ts";
import { ChartRenderError } from "./errors.ts";
import { filesValue } from "./files.ts";
import { isTable, type Values } from "./values.ts";

export interface RenderTop {
  Values: Values;
  Release: Record<string, unknown>;
  Capabilities: Record<string, unknown>;
}

export interface EngineOptions {
  /** missingkey=error instead of zero (Helm's --strict lint mode). */
  strict?: boolean;
  /** Live lookup (apiVersion, kind, namespace, name) → object, list or {}; default always {}. */
  lookup?: (apiVersion: string, kind: string, namespace: string, name: string) => Record<string, unknown>;
}

interface Renderable {
  source: string;
  vals: Record<string, unknown>;
  basePath: string;
}

/** Renders the chart's templates; returns file name → output (partials excluded). */
export function renderTemplates(chart: Chart, top: RenderTop, opts: EngineOptions = {}): Map<string, string> {
  const tpls = new Map<string, Renderable>();
  collect(chart, tpls, { ...top, Values: toGoValues(top.Values) });
  const t = parse("", {
    name: "gotpl",
    functions: "helm",
    missingKey: opts.strict ? "error" : "zero",
  });
  t.funcs = { ...t.funcs, ...engineFuncs(t, opts) };
  const keys = sortTemplates([...tpls.keys()]);
  for (const name of keys) {
    try {
      t.parse((tpls.get(name) as Renderable).source, name);
    } catch (e) {
      throw new ChartRenderError(chart.metadata.name, name, `parse error in ${name}: ${messageOf(e)}`, {
        cause: e,
      });
    }
  }
  const out = new Map<string, string>();
  for (const name of keys) {
    if (baseName(name).startsWith("_")) continue;
    const r = tpls.get(name) as Renderable;
    r.vals.Template = { Name: name, BasePath: r.basePath };
    let text: string;
    try {
      text = t.execute(r.vals, name);
    } catch (e) {
      throw new ChartRenderError(chart.metadata.name, name, execMessage(name, e), { cause: e });
    }
    out.set(name, text.replaceAll("<no value>", ""));
  }
  return out;
}

function collect(
  c: Chart,
  tpls: Map<string, Renderable>,
  parentVals: Record<string, unknown>,
): Record<string, unknown> {
  const subcharts: Record<string, unknown> = {};
  const isRoot = c.parent === undefined;
  let values: unknown = {};
  if (isRoot) values = parentVals.Values;
  else {
    const pv = parentVals.Values;
    if (isTable(pv) && isTable(pv[c.metadata.name])) values = pv[c.metadata.name];
  }
  const next: Record<string, unknown> = {
    Chart: chartValue(c),
    Files: filesValue(c.files),
    Release: parentVals.Release,
    Capabilities: parentVals.Capabilities,
    Values: values,
    Subcharts: subcharts,
  };
  for (const d of c.dependencies) subcharts[d.metadata.name] = collect(d, tpls, next);
  const full = chartFullPath(c);
  for (const f of c.templates) {
    if (isLibraryChart(c) && !baseName(f.name).startsWith("_")) continue;
    tpls.set(`${full}/${f.name}`, {
      source: new TextDecoder().decode(f.data),
      vals: next,
      basePath: `${full}/templates`,
    });
  }
  return next;
}

/** `.Chart`: Chart.yaml with Go's field names (zero values for unset strings), plus IsRoot. */
function chartValue(c: Chart): Record<string, unknown> {
  const m = c.metadata;
  return {
    Name: m.name,
    Home: m.home ?? "",
    Sources: m.sources ?? null,
    Version: m.version,
    Description: m.description ?? "",
    Keywords: m.keywords ?? null,
    Maintainers:
      m.maintainers?.map((x) => ({ Name: x.name ?? "", Email: x.email ?? "", URL: x.url ?? "" })) ?? null,
    Icon: m.icon ?? "",
    APIVersion: m.apiVersion,
    Condition: m.condition ?? "",
    Tags: m.tags ?? "",
    AppVersion: m.appVersion ?? "",
    Deprecated: m.deprecated ?? false,
    Annotations: m.annotations ?? null,
    KubeVersion: m.kubeVersion ?? "",
    Dependencies:
      m.dependencies?.map((d) => ({
        Name: d.name,
        Version: d.version ?? "",
        Repository: d.repository ?? "",
        Condition: d.condition ?? "",
        Tags: d.tags ?? null,
        Enabled: d.enabled ?? false,
        ImportValues: d["import-values"] ?? null,
        Alias: d.alias ?? "",
      })) ?? null,
    Type: m.type ?? "",
    IsRoot: c.parent === undefined,
  };
}

/** Helm's order: more path segments first, then reverse lexical order. */
export function sortTemplates(names: string[]): string[] {
  const segs = (s: string) => s.split("/").length;
  return [...names].sort((a, b) => {
    const ca = segs(a);
    const cb = segs(b);
    if (ca !== cb) return cb - ca;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

const WARN = /HELM_ERR_START([\s\S]*)HELM_ERR_END/;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Helm's cleanupExecError: `required`/`fail` messages become "execution error at (file:line:col): msg". */
function execMessage(name: string, e: unknown): string {
  const msg = messageOf(e);
  if (!(e instanceof TemplateError)) return `execution error in (${name}): ${msg}`;
  const tokens = msg.split(": ");
  const m = WARN.exec(msg);
  if (tokens.length >= 3 && m) return `execution error at (${tokens[1]}): ${m[1]}`;
  return msg;
}

/** Helm's engine functions over the library's: required and fail carry Helm's markers, include is depth-limited. */
function engineFuncs(t: Template, opts: EngineOptions): FuncMap {
  const lookup = opts.lookup;
  return {
    required: fn(["string", "any"], (warn: string, v: unknown) => {
      if (v === null || v === undefined || v === "") throw new Error(`HELM_ERR_START${warn}HELM_ERR_END`);
      return v;
    }),
    fail: fn(["string"], (msg: string) => {
      throw new Error(`HELM_ERR_START${msg}HELM_ERR_END`);
    }),
    getHostByName: fn(["string"], () => ""),
    lookup: fn(["string", "string", "string", "string"], (a: string, k: string, ns: string, n: string) =>
      lookup ? toGoValues(lookup(a, k, ns, n)) : {},
    ),
    // Bind include to the full set (the library's include is bound to the set it was created with).
    include: fn(["string", "any"], (name: string, data: unknown) => t.execute(data, name)),
  };
}

/** Values as Helm's templates see them after JSON decoding: every number a float64. */
export function toGoValues<T>(v: T): T {
  return convert(v) as T;
}

function convert(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? new GoNumber(v, "float64") : v;
  if (Array.isArray(v)) return v.map(convert);
  if (isTable(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) o[k] = convert(e);
    return o;
  }
  return v;
}
