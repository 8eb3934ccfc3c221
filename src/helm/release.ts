/**
 * Helm's release record (release.Release as JSON) and its storage encoding: JSON, gzipped, base64, kept
 * in a Secret `sh.helm.release.v1.<name>.v<version>` of type `helm.sh/release.v1` labelled name, owner=helm,
 * status and version, as Helm's Secret driver writes it. Records Helm wrote decode the same way.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { KubeObject } from "../kube/index.ts";
import type { Chart } from "./chart.ts";
import { ReleaseStorageError } from "./errors.ts";
import type { Hook } from "./manifests.ts";
import type { Values } from "./values.ts";

export type ReleaseStatus =
  | "unknown"
  | "deployed"
  | "uninstalled"
  | "superseded"
  | "failed"
  | "uninstalling"
  | "pending-install"
  | "pending-upgrade"
  | "pending-rollback";

export interface ReleaseInfo {
  first_deployed?: string;
  last_deployed?: string;
  deleted: string;
  description?: string;
  status?: ReleaseStatus;
  notes?: string;
}

export interface ReleaseChart {
  metadata: Record<string, unknown>;
  lock: unknown;
  templates: { name: string; data: string }[];
  values: Values;
  schema: string | null;
  files: { name: string; data: string }[];
}

export interface ReleaseHook {
  name?: string;
  kind?: string;
  path?: string;
  manifest?: string;
  events?: string[];
  last_run: { started_at?: string; completed_at?: string; phase: string };
  weight?: number;
  delete_policies?: string[];
}

export interface Release {
  name: string;
  namespace: string;
  version: number;
  info: ReleaseInfo;
  chart: ReleaseChart;
  config?: Values;
  manifest?: string;
  hooks?: ReleaseHook[];
}

export const RELEASE_SECRET_TYPE = "helm.sh/release.v1";
export const ZERO_TIME = "0001-01-01T00:00:00Z";

export function releaseSecretName(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

/** The chart as a release stores it (templates and files base64, no subcharts: Helm serializes none). */
export function releaseChart(c: Chart): ReleaseChart {
  const b64 = (d: Uint8Array) => Buffer.from(d).toString("base64");
  return {
    metadata: c.metadata as unknown as Record<string, unknown>,
    lock: null,
    templates: c.templates.map((t) => ({ name: t.name, data: b64(t.data) })),
    values: c.values,
    schema: c.schema ? b64(c.schema) : null,
    files: c.files.map((f) => ({ name: f.name, data: b64(f.data) })),
  };
}

export function releaseHooks(hooks: Hook[]): ReleaseHook[] {
  return hooks.map((h) => ({
    name: h.name,
    kind: h.kind,
    path: h.path,
    manifest: h.manifest,
    events: h.events,
    last_run: { phase: "" },
    weight: h.weight,
    delete_policies: h.deletePolicies,
  }));
}

/** JSON → gzip → base64, as Helm's encodeRelease. */
export function encodeRelease(r: Release): string {
  return gzipSync(Buffer.from(JSON.stringify(r)), { level: 9 }).toString("base64");
}

/** Decodes what encodeRelease (or Helm) wrote; gzip is optional, as in Helm. */
export function decodeRelease(data: string, object = "release"): Release {
  try {
    let b = Buffer.from(data, "base64");
    if (b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) b = gunzipSync(b);
    return JSON.parse(b.toString("utf8")) as Release;
  } catch (e) {
    throw new ReleaseStorageError(
      object,
      `Helm release ${object} cannot be decoded: ${(e as Error).message}; the Secret is not a helm.sh/release.v1 record`,
      { cause: e },
    );
  }
}

/** The storage Secret of a release in `namespace`. */
export function releaseSecret(
  r: Release,
  namespace: string,
  extraLabels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: releaseSecretName(r.name, r.version),
      namespace,
      labels: {
        ...extraLabels,
        name: r.name,
        owner: "helm",
        status: r.info.status ?? "unknown",
        version: String(r.version),
      },
    },
    type: RELEASE_SECRET_TYPE,
    data: { release: Buffer.from(encodeRelease(r)).toString("base64") },
  } as KubeObject;
}

/** Decodes a release Secret read from the API (its data is base64 of Helm's base64 text). */
export function releaseFromSecret(s: KubeObject): Release {
  const data = (s as { data?: Record<string, string> }).data?.release;
  const object = `${s.metadata.namespace}/${s.metadata.name}`;
  if (!data)
    throw new ReleaseStorageError(
      object,
      `Helm release Secret ${object} has no release key; it was not written by Helm or Ferry`,
    );
  return decodeRelease(Buffer.from(data, "base64").toString("utf8"), object);
}

/** Flux's digest of values: sha256 of their JSON with sorted keys. */
export function valuesDigest(v: Values | undefined): string {
  return `sha256:${createHash("sha256")
    .update(canonicalJson(v ?? {}))
    .digest("hex")}`;
}

/** Digest of a release's identity (name, namespace, version, chart, config, manifest). */
export function releaseDigest(r: Release): string {
  return `sha256:${createHash("sha256")
    .update(
      canonicalJson([
        r.name,
        r.namespace,
        r.version,
        r.chart.metadata.name,
        r.chart.metadata.version,
        r.config ?? {},
        r.manifest ?? "",
      ]),
    )
    .digest("hex")}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
