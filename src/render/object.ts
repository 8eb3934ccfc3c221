/** The plain-JSON object shape rendering works on (structurally the same as the kube module's), and naming helpers. */

export interface Metadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

/** Any Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [k: string]: unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a parsed YAML document looks like a Kubernetes object (apiVersion, kind, metadata map). */
export function isKubeObject(v: unknown): v is KubeObject {
  return (
    isRecord(v) &&
    typeof v.apiVersion === "string" &&
    typeof v.kind === "string" &&
    (v.metadata === undefined || isRecord(v.metadata))
  );
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

/** `Kind/ns/name`, or `Kind/name` for cluster-scoped objects. */
export function refOf(obj: { kind: string; metadata?: Metadata }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${obj.kind}/${ns}/${name}` : `${obj.kind}/${name}`;
}

/** Identity of an object for deduplication: group, kind, namespace and name (the version is not part of it). */
export function identityOf(obj: KubeObject): string {
  return `${groupOf(obj.apiVersion)}/${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}

/** Merges labels and annotations into every object, overriding keys that exist (Flux's SetCommonMetadata). */
export function setCommonMetadata(
  objects: KubeObject[],
  labels: Record<string, string> | undefined,
  annotations: Record<string, string> | undefined,
): void {
  for (const o of objects) {
    o.metadata ??= {};
    if (labels && Object.keys(labels).length > 0) o.metadata.labels = { ...o.metadata.labels, ...labels };
    if (annotations && Object.keys(annotations).length > 0) {
      o.metadata.annotations = { ...o.metadata.annotations, ...annotations };
    }
  }
}
