/**
 * The chart of a HelmRelease: `spec.chartRef` to an OCIRepository (same namespace by default) whose
 * artifact is a Helm chart — the packaged chart layer copied (`layerSelector` with Helm's media type and
 * `operation: copy`) or a chart folder. `spec.chart` (HelmChart templates with HelmRepository sources) and
 * other chartRef kinds are refused with a clear, stalling condition.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { HelmRelease } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import { type Chart, loadChart } from "../../helm/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { compare, format, parseLenient, type Version } from "../../semver/index.ts";
import type { ArtifactStore } from "../../store/index.ts";
import { ARTIFACT_FILE, type Artifact, artifactContentDir } from "../ocirepository/index.ts";
import { HelmReleaseError, Reasons } from "./errors.ts";

export interface ChartSource {
  source: KubeObject;
  revision: string;
  /** The OCI manifest digest of the artifact (`sha256:…`). */
  ociDigest: string;
  chart: Chart;
}

export function chartRefOf(obj: KubeObject): { kind: string; namespace: string; name: string } | undefined {
  const spec = obj.spec as HelmRelease["spec"];
  if (!spec.chartRef) return undefined;
  return {
    kind: spec.chartRef.kind,
    namespace: spec.chartRef.namespace || (obj.metadata.namespace ?? ""),
    name: spec.chartRef.name,
  };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export async function resolveChart(
  key: string,
  obj: KubeObject,
  opts: { kube: KubeClient; store: ArtifactStore; signal: AbortSignal; noCrossNamespaceRefs?: boolean },
): Promise<ChartSource | { waiting: string }> {
  const spec = obj.spec as HelmRelease["spec"];
  const ref = chartRefOf(obj);
  if (!ref) {
    const what = spec.chart
      ? `spec.chart (a HelmChart from ${spec.chart.spec.sourceRef.kind}/${spec.chart.spec.sourceRef.name})`
      : "no chart";
    throw new HelmReleaseError(
      key,
      Reasons.invalidChartReference,
      `${what} is not supported by Ferry yet; publish the chart to an OCI registry and use spec.chartRef to an OCIRepository`,
      { stalled: true },
    );
  }
  if (opts.noCrossNamespaceRefs && ref.namespace !== obj.metadata.namespace) {
    throw new HelmReleaseError(
      key,
      "AccessDenied",
      `can't access '${ref.kind}/${ref.namespace}/${ref.name}', cross-namespace references have been blocked`,
      { stalled: true },
    );
  }
  if (ref.kind !== "OCIRepository") {
    throw new HelmReleaseError(
      key,
      Reasons.invalidChartReference,
      `chartRef kind ${ref.kind} is not supported by Ferry yet; use an OCIRepository`,
      { stalled: true },
    );
  }
  let source: KubeObject | undefined;
  try {
    source = await getObject(
      opts.kube,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: { namespace: ref.namespace, name: ref.name },
      },
      { signal: opts.signal },
    );
  } catch (err) {
    throw new HelmReleaseError(
      key,
      Reasons.artifactFailed,
      `unable to get OCIRepository ${ref.namespace}/${ref.name}: ${describe(err)}`,
      { cause: err },
    );
  }
  if (!source)
    return {
      waiting: `could not get HelmChart object: OCIRepository ${ref.namespace}/${ref.name} not found`,
    };
  const artifact = (source.status as { artifact?: Artifact } | undefined)?.artifact;
  const content = artifactContentDir(opts.store, artifact);
  if (!artifact?.revision || !content)
    return { waiting: `OCIRepository ${ref.namespace}/${ref.name} has no artifact yet` };
  const tarball = join(content, "..", ARTIFACT_FILE);
  let chart: Chart;
  try {
    chart = await loadChartFrom(content, tarball, opts.signal);
  } catch (err) {
    throw new HelmReleaseError(
      key,
      Reasons.artifactFailed,
      `chart from OCIRepository ${ref.namespace}/${ref.name} (${artifact.revision}) cannot be loaded: ${describe(err)}`,
      { cause: err },
    );
  }
  const ociDigest = withSourceDigest(key, chart, artifact.revision);
  return { source, revision: artifact.revision, ociDigest, chart };
}

/**
 * As helm-controller does for OCIRepository charts: the chart version gets the first 12 hex digits of
 * the artifact digest as build metadata (`6.7.0+0123456789ab`), so a tag pushed again with other content
 * is an upgrade too; a semver tag must name the chart's own version. Returns the digest.
 */
export function withSourceDigest(key: string, chart: Chart, revision: string): string {
  const at = revision.lastIndexOf("@");
  const tag = at >= 0 ? revision.slice(0, at) : "";
  const digest = at >= 0 ? revision.slice(at + 1) : revision;
  let ver: Version;
  try {
    ver = parseLenient(chart.metadata.version);
  } catch (err) {
    throw new HelmReleaseError(
      key,
      Reasons.artifactFailed,
      `chart version ${chart.metadata.version} is not a semantic version`,
      { cause: err },
    );
  }
  if (tag) {
    let tagVer: Version | undefined;
    try {
      tagVer = parseLenient(tag);
    } catch {
      tagVer = undefined;
    }
    if (tagVer && compare(tagVer, ver) !== 0) {
      throw new HelmReleaseError(
        key,
        Reasons.artifactFailed,
        `artifact revision ${tag} does not match chart version ${chart.metadata.version}; tag the chart with its version`,
      );
    }
  }
  const hex = digest.slice(digest.indexOf(":") + 1).slice(0, 12);
  if (hex) chart.metadata.version = format({ ...ver, metadata: hex });
  return digest;
}

/** A chart folder at the artifact's root or one level down (a packaged chart's top folder), else the tarball. */
async function loadChartFrom(content: string, tarball: string, signal: AbortSignal): Promise<Chart> {
  if (await exists(join(content, "Chart.yaml"))) return loadChart(content, { signal });
  const entries = await readdir(content).catch(() => [] as string[]);
  for (const e of entries.sort()) {
    if (await exists(join(content, e, "Chart.yaml"))) return loadChart(join(content, e), { signal });
  }
  return loadChart(tarball, { signal });
}
