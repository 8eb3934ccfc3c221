/**
 * Loads a chart as Helm's loader does, from a folder (honouring `.helmignore`), a packaged `.tgz`, or a
 * list of files: Chart.yaml, values.yaml, values.schema.json, templates/, charts/ (subchart folders and
 * archives; names starting with `_` or `.` skipped) and every other file as `.Files`. A UTF-8 BOM is
 * dropped from files read from a folder. Chart.lock and requirements.* are read as plain files.
 */
import type { Stats } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { readTarball } from "../artifact/index.ts";
import type { Chart, ChartFile, ChartMetadata } from "./chart.ts";
import { ChartLoadError } from "./errors.ts";
import { defaultIgnoreRules, type IgnoreRules } from "./ignore.ts";
import { parseYaml, parseYamlMap } from "./yaml.ts";

export interface LoadOptions {
  signal?: AbortSignal | undefined;
}

const decoder = new TextDecoder();
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Loads a chart folder or a `.tgz` file. */
export async function loadChart(path: string, opts: LoadOptions = {}): Promise<Chart> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    throw new ChartLoadError(path, `chart ${path} cannot be read: ${(e as Error).message}; check the path`, {
      cause: e,
    });
  }
  if (st.isDirectory()) return loadChartDir(path, opts);
  return loadChartArchive(await readFile(path), { ...opts, what: path });
}

/** Loads a chart folder, skipping what `.helmignore` (and Helm's default `templates/.?*`) ignores. */
export async function loadChartDir(dir: string, opts: LoadOptions = {}): Promise<Chart> {
  let ignoreText: string | undefined;
  try {
    ignoreText = await readFile(join(dir, ".helmignore"), "utf8");
  } catch {
    ignoreText = undefined;
  }
  const rules = defaultIgnoreRules(ignoreText);
  const files: ChartFile[] = [];
  await walkDir(dir, "", rules, files, opts.signal);
  return loadChartFiles(files, dir, opts);
}

async function walkDir(
  root: string,
  rel: string,
  rules: IgnoreRules,
  files: ChartFile[],
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  for (const name of (await readdir(join(root, rel))).sort()) {
    const r = rel === "" ? name : `${rel}/${name}`;
    const a = join(root, r);
    let s = await lstat(a);
    if (s.isSymbolicLink()) s = await stat(await realpath(a));
    if (s.isDirectory()) {
      if (!rules.ignores(r, true)) await walkDir(root, r, rules, files, signal);
    } else if (!rules.ignores(r, false)) {
      files.push({ name: r, data: await readChartFile(root, r, s) });
    }
  }
}

async function readChartFile(root: string, rel: string, s: Stats): Promise<Uint8Array> {
  if (!s.isFile()) {
    throw new ChartLoadError(
      root,
      `chart file ${rel} in ${root} is not a regular file; remove it or list it in .helmignore`,
    );
  }
  if (s.size > MAX_FILE_BYTES) {
    throw new ChartLoadError(
      root,
      `chart file ${rel} in ${root} is larger than ${MAX_FILE_BYTES} bytes; list it in .helmignore`,
    );
  }
  const data: Uint8Array = await readFile(join(root, rel));
  return data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
}

/** Loads a packaged chart (`helm package` output): a gzipped tar with one top folder. */
export async function loadChartArchive(
  data: Uint8Array,
  opts: LoadOptions & { what?: string } = {},
): Promise<Chart> {
  const what = opts.what ?? "chart archive";
  const files: ChartFile[] = [];
  try {
    for await (const e of readTarball(Readable.from([Buffer.from(data)]), {
      what,
      maxBytes: 100 * 1024 * 1024,
      signal: opts.signal,
    })) {
      if (e.type !== "file") continue;
      if (e.path === "pax_global_header") continue;
      const parts = e.path.split("/");
      const chunks: Buffer[] = [];
      for await (const c of e.content) chunks.push(c);
      if (parts.length < 2) continue;
      files.push({ name: parts.slice(1).join("/"), data: Buffer.concat(chunks) });
    }
  } catch (e) {
    if (e instanceof ChartLoadError) throw e;
    throw new ChartLoadError(
      what,
      `${what} is not a readable chart archive (.tgz): ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return loadChartFiles(files, what, opts);
}

/** Builds a chart from its files (paths relative to the chart root). */
export async function loadChartFiles(
  files: ChartFile[],
  what: string,
  opts: LoadOptions = {},
): Promise<Chart> {
  const chartYaml = files.find((f) => f.name === "Chart.yaml");
  if (!chartYaml)
    throw new ChartLoadError(what, `chart ${what} has no Chart.yaml; a chart needs one at its root`);
  const chart: Chart = {
    metadata: parseMetadata(chartYaml.data, what),
    values: {},
    templates: [],
    files: [],
    dependencies: [],
  };
  const subcharts = new Map<string, ChartFile[]>();
  for (const f of files) {
    if (f.name === "Chart.yaml") continue;
    if (f.name === "values.yaml") chart.values = parseValuesFile(f.data, what);
    else if (f.name === "requirements.yaml") readRequirements(chart, f, what);
    else if (f.name === "values.schema.json") chart.schema = f.data;
    else if (f.name.startsWith("templates/")) chart.templates.push(f);
    else if (f.name.startsWith("charts/") && !f.name.endsWith(".prov")) {
      const rest = f.name.slice("charts/".length);
      const cname = rest.split("/")[0] as string;
      subcharts.set(cname, [...(subcharts.get(cname) ?? []), { name: rest, data: f.data }]);
    } else chart.files.push(f);
  }
  for (const name of [...subcharts.keys()].sort()) {
    opts.signal?.throwIfAborted();
    if (name.startsWith("_") || name.startsWith(".")) continue;
    const sub = await loadSubchart(chart, name, subcharts.get(name) as ChartFile[], what, opts);
    sub.parent = chart;
    chart.dependencies.push(sub);
  }
  return chart;
}

/** apiVersion v1 charts list dependencies in requirements.yaml (kept as a file too, as Helm does). */
function readRequirements(chart: Chart, f: ChartFile, what: string): void {
  let r: unknown;
  try {
    r = parseYaml(decoder.decode(f.data));
  } catch (e) {
    throw new ChartLoadError(
      what,
      `requirements.yaml of chart ${what} is not valid YAML: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const deps = (r as { dependencies?: unknown } | null)?.dependencies;
  if (Array.isArray(deps)) chart.metadata.dependencies = deps as ChartMetadata["dependencies"];
  if (chart.metadata.apiVersion === "v1") chart.files.push(f);
}

function parseValuesFile(data: Uint8Array, what: string): Record<string, unknown> {
  let v: Record<string, unknown> | undefined;
  try {
    v = parseYamlMap(decoder.decode(data));
  } catch (e) {
    throw new ChartLoadError(
      what,
      `values.yaml of chart ${what} is not valid YAML: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (v === undefined) {
    throw new ChartLoadError(
      what,
      `values.yaml of chart ${what} is not a map; make its top level key: value pairs`,
    );
  }
  return v;
}

/** A subchart from charts/: a packaged `.tgz` or a folder. */
async function loadSubchart(
  parent: Chart,
  name: string,
  list: ChartFile[],
  what: string,
  opts: LoadOptions,
): Promise<Chart> {
  try {
    if (name.endsWith(".tgz")) {
      const f = list[0] as ChartFile;
      if (f.name !== name) {
        throw new ChartLoadError(
          what,
          `subchart archive charts/${name} of chart ${parent.metadata.name} is a folder; rename it`,
        );
      }
      return await loadChartArchive(f.data, { ...opts, what: `${what}/charts/${name}` });
    }
    const inner = list
      .filter((f) => f.name.includes("/"))
      .map((f) => ({ name: f.name.slice(name.length + 1), data: f.data }));
    return await loadChartFiles(inner, `${what}/charts/${name}`, opts);
  } catch (e) {
    if (e instanceof ChartLoadError) throw e;
    throw new ChartLoadError(
      what,
      `subchart ${name} of chart ${parent.metadata.name} cannot be loaded: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

function parseMetadata(data: Uint8Array, what: string): ChartMetadata {
  let m: unknown;
  try {
    m = parseYaml(decoder.decode(data));
  } catch (e) {
    throw new ChartLoadError(what, `Chart.yaml of chart ${what} is not valid YAML: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (m === null || typeof m !== "object" || Array.isArray(m)) {
    throw new ChartLoadError(
      what,
      `Chart.yaml of chart ${what} is not a map; see https://helm.sh/docs/topics/charts/`,
    );
  }
  const md = m as Record<string, unknown>;
  for (const k of ["version", "appVersion"]) if (typeof md[k] === "number") md[k] = String(md[k]);
  if (md.apiVersion === undefined || md.apiVersion === null || md.apiVersion === "") md.apiVersion = "v1";
  for (const k of ["apiVersion", "name", "version"]) {
    if (typeof md[k] !== "string" || md[k] === "") {
      throw new ChartLoadError(
        what,
        `Chart.yaml of chart ${what} has no ${k}; set it (apiVersion v2, name, a SemVer version)`,
      );
    }
  }
  if (!["v1", "v2"].includes(md.apiVersion as string)) {
    throw new ChartLoadError(
      what,
      `Chart.yaml of chart ${what} has apiVersion ${JSON.stringify(md.apiVersion)}; use v2`,
    );
  }
  if (
    md.type !== undefined &&
    md.type !== null &&
    !["", "application", "library"].includes(String(md.type))
  ) {
    throw new ChartLoadError(
      what,
      `Chart.yaml of chart ${what} has type ${JSON.stringify(md.type)}; use application or library`,
    );
  }
  return md as unknown as ChartMetadata;
}
