/**
 * The loaded chart: Chart.yaml metadata, default values, templates, other files and subcharts, as Helm's
 * chart.Chart holds them. Paths are relative to the chart's root, slash-separated.
 */

export interface ChartFile {
  name: string;
  data: Uint8Array;
}

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  "import-values"?: unknown[];
  alias?: string;
}

/** Chart.yaml (helm's chart.Metadata), keys as in the file. */
export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  kubeVersion?: string;
  description?: string;
  type?: string;
  keywords?: string[];
  home?: string;
  sources?: string[];
  dependencies?: ChartDependency[];
  maintainers?: { name?: string; email?: string; url?: string }[];
  icon?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  condition?: string;
  tags?: string;
}

export interface Chart {
  metadata: ChartMetadata;
  /** values.yaml, parsed ({} when absent). */
  values: Record<string, unknown>;
  /** values.schema.json, when present (not validated by Ferry). */
  schema?: Uint8Array | undefined;
  /** Files under templates/. */
  templates: ChartFile[];
  /** Every other file (crds/, README, files read through `.Files`), except Chart.yaml, values.yaml, charts/. */
  files: ChartFile[];
  /** Subcharts from charts/, in name order. */
  dependencies: Chart[];
  /** The chart this one is a subchart of. */
  parent?: Chart | undefined;
}

/** The chart's path in rendered file names: `root/charts/sub/charts/subsub`. */
export function chartFullPath(c: Chart): string {
  return c.parent ? `${chartFullPath(c.parent)}/charts/${c.metadata.name}` : c.metadata.name;
}

/** A shallow copy of a chart tree, so dependency processing can drop and rename subcharts. */
export function copyChart(c: Chart, parent?: Chart): Chart {
  const out: Chart = {
    ...c,
    metadata: {
      ...c.metadata,
      dependencies: c.metadata.dependencies?.map((d) => ({ ...d })),
    },
    parent,
    dependencies: [],
  };
  out.dependencies = c.dependencies.map((d) => copyChart(d, out));
  return out;
}

export function isLibraryChart(c: Chart): boolean {
  return (c.metadata.type ?? "").toLowerCase() === "library";
}

/** The CRD files of a chart and its subcharts (`crds/*.yaml|yml|json`), with their rendered file names. */
export function chartCrds(c: Chart): { filename: string; data: string }[] {
  const out: { filename: string; data: string }[] = [];
  for (const f of c.files) {
    if (f.name.startsWith("crds/") && /\.(ya?ml|json)$/i.test(f.name)) {
      out.push({ filename: `${chartFullPath(c)}/${f.name}`, data: new TextDecoder().decode(f.data) });
    }
  }
  for (const d of c.dependencies) out.push(...chartCrds(d));
  return out;
}
