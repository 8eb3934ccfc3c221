/**
 * YAML as Helm reads it (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1 scalars (yes/no are booleans, 0755 is
 * octal), timestamps kept as strings, keys as strings, then through JSON, so the result is plain JSON data.
 */
import { parse, parseAllDocuments, type SchemaOptions } from "yaml";

const noTimestamps: SchemaOptions["customTags"] = (tags) =>
  tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp");

const options = {
  version: "1.1" as const,
  customTags: noTimestamps,
  merge: true,
  uniqueKeys: false,
  maxAliasCount: 10000,
};

/** Parses one YAML document into JSON data (null for an empty document). Throws the parser's error. */
export function parseYaml(text: string): unknown {
  const v = parse(text, options);
  return v === undefined ? null : JSON.parse(JSON.stringify(v, jsonSafe));
}

/** Parses a YAML map (values.yaml, a values key); an empty document is an empty map. */
export function parseYamlMap(text: string): Record<string, unknown> | undefined {
  const v = parseYaml(text);
  if (v === null) return {};
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Every document of a multi-document stream, as JSON data (empty documents skipped). */
export function parseYamlAll(text: string): unknown[] {
  const out: unknown[] = [];
  for (const d of parseAllDocuments(text, options)) {
    if (d.errors.length > 0) throw d.errors[0];
    const v = d.toJS({ maxAliasCount: 10000 });
    if (v !== null && v !== undefined) out.push(JSON.parse(JSON.stringify(v, jsonSafe)));
  }
  return out;
}

function jsonSafe(_k: string, v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, e]) => [String(k), e]));
  if (v instanceof Set) return [...v];
  if (typeof v === "bigint") return Number(v);
  return v;
}
