/**
 * Renders a chart as `helm install` / `helm template` do: dependencies processed against the user values,
 * values coalesced over the chart defaults, templates executed, NOTES.txt set aside (the root chart's
 * only, unless subNotes), the rest split into hooks and manifests in install order. The release manifest
 * is Helm's text (`---\n# Source: FILE\nDOC\n` per document); CRDs from `crds/` are listed separately.
 */

import { type Capabilities, capabilitiesValue, DEFAULT_CAPABILITIES } from "./capabilities.ts";
import { type Chart, chartCrds } from "./chart.ts";
import { isCompatibleRange, processDependencies } from "./dependencies.ts";
import { type EngineOptions, renderTemplates } from "./engine.ts";
import { ChartRenderError, ValuesError } from "./errors.ts";
import { type Hook, type Manifest, sortManifests } from "./manifests.ts";
import { coalesceValues, type Values } from "./values.ts";

export interface RenderChartOptions extends EngineOptions {
  releaseName: string;
  namespace: string;
  /** Release revision (default 1). */
  revision?: number;
  /** An upgrade of an existing release (`.Release.IsUpgrade`); default an install. */
  isUpgrade?: boolean;
  /** User-supplied values (merged from every source), over the chart's defaults. */
  values?: Values;
  capabilities?: Capabilities;
  /** Keep the NOTES.txt of subcharts too. */
  subNotes?: boolean;
}

export interface RenderedChart {
  /** The chart with dependencies processed (disabled subcharts dropped, aliases applied). */
  chart: Chart;
  /** The user-supplied values (a release's `config`). */
  config: Values;
  /** The values templates saw (`.Values` of the root chart). */
  values: Values;
  manifests: Manifest[];
  hooks: Hook[];
  crds: { filename: string; data: string }[];
  notes: string;
  /** The release manifest: every non-hook document with its `# Source:` line, as Helm stores it. */
  manifest: string;
}

export function renderChart(chart: Chart, opts: RenderChartOptions): RenderedChart {
  const caps = opts.capabilities ?? DEFAULT_CAPABILITIES;
  const name = chart.metadata.name;
  if (chart.metadata.kubeVersion && !isCompatibleRange(chart.metadata.kubeVersion, caps.kubeVersion)) {
    throw new ChartRenderError(
      name,
      undefined,
      `chart ${name} requires kubeVersion: ${chart.metadata.kubeVersion} which is incompatible with Kubernetes ${caps.kubeVersion}`,
    );
  }
  const missing = (chart.metadata.dependencies ?? [])
    .filter((d) => !chart.dependencies.some((c) => c.metadata.name === d.name))
    .map((d) => d.name);
  if (missing.length > 0) {
    throw new ChartRenderError(
      name,
      undefined,
      `chart ${name} lists dependencies missing from its charts/ folder: ${missing.join(", ")}; run helm dependency build before packaging`,
    );
  }
  const config = opts.values ?? {};
  let processed: Chart;
  let values: Values;
  try {
    processed = processDependencies(chart, config);
    values = coalesceValues(processed, config);
  } catch (e) {
    throw new ValuesError(`values of chart ${name} cannot be merged: ${(e as Error).message}`, { cause: e });
  }
  const files = renderTemplates(
    processed,
    {
      Values: values,
      Release: {
        Name: opts.releaseName,
        Namespace: opts.namespace,
        IsUpgrade: opts.isUpgrade === true,
        IsInstall: opts.isUpgrade !== true,
        Revision: opts.revision ?? 1,
        Service: "Helm",
      },
      Capabilities: capabilitiesValue(caps),
    },
    opts,
  );
  const notes: string[] = [];
  for (const [k, v] of [...files]) {
    if (!k.endsWith("NOTES.txt")) continue;
    if (opts.subNotes || k === `${name}/templates/NOTES.txt`) notes.push(v);
    files.delete(k);
  }
  const { hooks, manifests } = sortManifests(files, name);
  const manifest = manifests.map((m) => `---\n# Source: ${m.name}\n${m.content}\n`).join("");
  return {
    chart: processed,
    config,
    values,
    manifests,
    hooks,
    crds: chartCrds(processed),
    notes: notes.join("\n"),
    manifest,
  };
}

export interface TemplateOutputOptions {
  /** Print the CRDs from crds/ first (`--include-crds`). */
  includeCrds?: boolean;
  /** Leave hooks out (`--no-hooks`). */
  noHooks?: boolean;
  /** Leave test hooks out (`--skip-tests`). */
  skipTests?: boolean;
}

/** The text `helm template` prints for a rendered chart. */
export function templateOutput(r: RenderedChart, opts: TemplateOutputOptions = {}): string {
  let manifest = r.manifest;
  if (opts.includeCrds)
    manifest = r.crds.map((c) => `---\n# Source: ${c.filename}\n${c.data}\n`).join("") + manifest;
  let out = `${manifest.trim()}\n`;
  if (!opts.noHooks) {
    for (const h of r.hooks) {
      if (opts.skipTests && h.events.includes("test")) continue;
      out += `---\n# Source: ${h.path}\n${h.manifest}\n`;
    }
  }
  return out;
}
