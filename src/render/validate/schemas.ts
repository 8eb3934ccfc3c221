/**
 * The schemas `ferry validate` knows: the Kubernetes core kinds from the bundle generated out of a real
 * API server (schemas/kubernetes.json, see scripts/gen-schemas.ts), Ferry's own schemas of the Flux kinds
 * (src/api), and the `openAPIV3Schema` of every CustomResourceDefinition found among the validated objects.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fluxSchemas, type JsonSchema } from "../../api/index.ts";
import { FerryError } from "../../errors/index.ts";
import { isRecord, type KubeObject } from "../object.ts";

interface Bundle {
  source: string;
  kinds: Record<string, string>;
  definitions: Record<string, JsonSchema>;
}

export class SchemaBundleError extends FerryError {
  override name = "SchemaBundleError";
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      `the Kubernetes schema bundle ${path} cannot be read; reinstall Ferry or run scripts/gen-schemas.ts`,
      options,
    );
  }
}

export const DEFAULT_BUNDLE = fileURLToPath(new URL("../../../schemas/kubernetes.json", import.meta.url));

export interface SchemaSet {
  /** The schema of `apiVersion/kind`, or undefined when the kind is unknown. */
  lookup(apiVersion: string, kind: string): JsonSchema | undefined;
  resolve(ref: string): JsonSchema | undefined;
  /** Adds the schemas of the CustomResourceDefinitions among `objects`. */
  addCRDs(objects: readonly KubeObject[]): void;
  /** Where the core schemas come from. */
  readonly source: string;
}

export async function loadSchemas(opts: { bundle?: string; signal?: AbortSignal } = {}): Promise<SchemaSet> {
  const path = opts.bundle ?? DEFAULT_BUNDLE;
  let bundle: Bundle;
  try {
    bundle = JSON.parse(await readFile(path, { encoding: "utf8", signal: opts.signal })) as Bundle;
  } catch (err) {
    opts.signal?.throwIfAborted();
    throw new SchemaBundleError(path, { cause: err });
  }
  const extra = fluxSchemas();
  return {
    source: bundle.source,
    lookup(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      const own = extra.get(key);
      if (own) return own;
      const def = bundle.kinds[key];
      return def ? bundle.definitions[def] : undefined;
    },
    resolve: (ref) => bundle.definitions[ref],
    addCRDs(objects) {
      for (const [key, schema] of crdSchemas(objects)) if (!extra.has(key)) extra.set(key, schema);
    },
  };
}

/** `group/version/Kind` and schema of every served version of the CustomResourceDefinitions among `objects`. */
function* crdSchemas(objects: readonly KubeObject[]): Generator<[string, JsonSchema]> {
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition" || !o.apiVersion.startsWith("apiextensions.k8s.io/")) continue;
    const spec = isRecord(o.spec) ? o.spec : {};
    const group = String(spec.group ?? "");
    const kind = String((isRecord(spec.names) ? spec.names.kind : "") ?? "");
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isRecord(v) || !isRecord(v.schema) || !isRecord(v.schema.openAPIV3Schema)) continue;
      yield [`${group}/${String(v.name)}/${kind}`, withTypeMeta(v.schema.openAPIV3Schema as JsonSchema)];
    }
  }
}

/** CRD schemas often leave apiVersion/kind/metadata out; add them so strict mode does not flag them. */
function withTypeMeta(s: JsonSchema): JsonSchema {
  const properties = { ...s.properties };
  properties.apiVersion ??= { type: "string" };
  properties.kind ??= { type: "string" };
  properties.metadata ??= { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return { ...s, properties };
}
