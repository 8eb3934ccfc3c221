/**
 * Loads a chart as Helm's loader does, from a folder (honouring `.helmignore`), a packaged `.tgz`, or a
 * list of files: Chart.yaml, values.yaml, values.schema.json, templates/, charts/ (subchart folders and
 * archives; names starting with `_` or `.` skipped) and every other file as `.Files`. A UTF-8 BOM is
 * dropped from files read from a folder. Chart.lock and requirements.* are read as plain files.
 */
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { readTarball } from "../artifact/index.ts";
import type { Chart, ChartFile, ChartMetadata } from "./chart.ts";
import { ChartLoadError } from "./errors.ts";
import { defaultIgnoreRules } from "./ignore.ts";
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
  const walk = async (abs: string, rel: string): Promise<void> => {
    opts.signal?.throwIfAborted();
    const entries = (await readdir(abs)).sort();
    for (const name of entries) {
      const a = join(abs, name);
      const r = rel === "" ? name : `${rel}/${name}`;
      let s = await lstat(a);
      if (s.isSymbolicLink()) s = await stat(await realpath(a));
      if (s.isDirectory()) {
        if (!rules.ignores(r, true)) await walk(a, r);
        continue;
      }
      if (rules.ignores(r, false)) continue;
      if (!s.isFile())
        throw new ChartLoadError(
          dir,
          `chart file ${r} in ${dir} is not a regular file; remove it or list it in .helmignore`,
        );
      if (s.size > MAX_FILE_BYTES)
        throw new ChartLoadError(
          dir,
          `chart file ${r} in ${dir} is larger than ${MAX_FILE_BYTES} bytes; list it in .helmignore`,
        );
      let data: Uint8Array = await readFile(a);
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      files.push({ name: r, data });
    }
  };
  await walk(dir, "");
  return loadChartFiles(files, dir, opts);
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
  let metadata: ChartMetadata | undefined;
  const chartYaml = files.find((f) => f.name === "Chart.yaml");
  if (chartYaml) metadata = parseMetadata(chartYaml.data, what);
  const chart: Chart = {
    metadata: metadata as ChartMetadata,
    values: {},
    templates: [],
    files: [],
    dependencies: [],
  };
  const subcharts = new Map<string, ChartFile[]>();
  for (const f of files) {
    if (f.name === "Chart.yaml") continue;
    if (f.name === "values.yaml") {
      let v: Record<string, unknown> | undefined;
      try {
        v = parseYamlMap(decoder.decode(f.data));
      } catch (e) {
        throw new ChartLoadError(
          what,
          `values.yaml of chart ${what} is not valid YAML: ${(e as Error).message}`,
          { cause: e },
        );
      }
      if (v === undefined)
        throw new ChartLoadError(
          what,
          `values.yaml of chart ${what} is not a map; make its top level key: value pairs`,
        );
      chart.values = v;
    } else if (f.name === "values.schema.json") {
      chart.schema = f.data;
    } else if (f.name.startsWith("templates/")) {
      chart.templates.push(f);
    } else if (f.name.startsWith("charts/")) {
      if (f.name.endsWith(".prov")) {
        chart.files.push(f);
        continue;
      }
      const rest = f.name.slice("charts/".length);
      const cname = rest.split("/")[0] as string;
      const list = subcharts.get(cname) ?? [];
      list.push({ name: rest, data: f.data });
      subcharts.set(cname, list);
    } else {
      chart.files.push(f);
    }
  }
  if (!metadata)
    throw new ChartLoadError(what, `chart ${what} has no Chart.yaml; a chart needs one at its root`);
  for (const name of [...subcharts.keys()].sort()) {
    opts.signal?.throwIfAborted();
    if (name.startsWith("_") || name.startsWith(".")) continue;
    const list = subcharts.get(name) as ChartFile[];
    let sub: Chart;
    try {
      if (name.endsWith(".tgz")) {
        const f = list[0] as ChartFile;
        if (f.name !== name)
          throw new ChartLoadError(
            what,
            `subchart archive charts/${name} of chart ${metadata.name} is a folder; rename it`,
          );
        sub = await loadChartArchive(f.data, { ...opts, what: `${what}/charts/${name}` });
      } else {
        const inner = list
          .filter((f) => f.name.includes("/"))
          .map((f) => ({ name: f.name.slice(name.length + 1), data: f.data }));
        sub = await loadChartFiles(inner, `${what}/charts/${name}`, opts);
      }
    } catch (e) {
      if (e instanceof ChartLoadError) throw e;
      throw new ChartLoadError(
        what,
        `subchart ${name} of chart ${metadata.name} cannot be loaded: ${(e as Error).message}`,
        { cause: e },
      );
    }
    sub.parent = chart;
    chart.dependencies.push(sub);
  }
  return chart;
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
