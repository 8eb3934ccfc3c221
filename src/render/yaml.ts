/**
 * YAML in and out of the render pipeline. Reading accepts multi-document streams and names the file and line
 * of a syntax error. The `goYaml*` pair reproduces how Flux round-trips an object through YAML text for
 * variable substitution (YAML 1.1 scalars: `yes`/`on` are booleans, `0755` is octal), so `replicas: ${N}`
 * becomes a number, as on a cluster.
 */
import {
  type DocumentOptions,
  parseAllDocuments,
  parse as parseYaml,
  type SchemaOptions,
  stringify,
} from "yaml";
import { FerryError } from "../errors/index.ts";
import { isKubeObject, type KubeObject } from "./object.ts";

export class YamlError extends FerryError {
  override name = "YamlError";
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, detail: string, options?: { cause?: unknown }) {
    super(`${file}${line ? `:${line}` : ""}: invalid YAML: ${detail}; fix the syntax there`, options);
    this.file = file;
    this.line = line;
  }
}

/** A document that parsed but is not a Kubernetes object (no apiVersion/kind). */
export class NotAnObjectError extends FerryError {
  override name = "NotAnObjectError";
  readonly file: string;
  readonly index: number;
  constructor(file: string, index: number) {
    super(
      `${file}: document ${index + 1} is not a Kubernetes object (apiVersion and kind are required); remove it or complete it`,
    );
    this.file = file;
    this.index = index;
  }
}

export interface ParsedDocument {
  value: unknown;
  /** 1-based line where the document starts. */
  line: number;
}

/** Every non-empty document of a YAML stream; syntax errors throw YamlError naming `file` and the line. */
export function parseDocuments(text: string, file: string): ParsedDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ParsedDocument[] = [];
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new YamlError(file, line, err.message.split("\n")[0] ?? err.message, { cause: err });
    }
    const value = d.toJS({ maxAliasCount: 1000 }) as unknown;
    if (value === null || value === undefined) continue;
    const line = d.contents?.range ? lineAt(text, d.contents.range[0]) : 1;
    out.push({ value, line });
  }
  return out;
}

/** Every document of a stream as Kubernetes objects; a `List` kind is unwrapped into its items. */
export function parseObjects(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [i, d] of parseDocuments(text, file).entries()) {
    if (!isKubeObject(d.value)) throw new NotAnObjectError(file, i);
    const obj = d.value;
    obj.metadata ??= {};
    if (obj.kind.endsWith("List") && Array.isArray(obj.items)) {
      for (const item of obj.items) if (isKubeObject(item)) out.push(item);
      continue;
    }
    out.push(obj);
  }
  return out;
}

/** Multi-document YAML, each document preceded by `---`. */
export function stringifyObjects(objects: readonly unknown[]): string {
  let out = "";
  for (const o of objects) out += `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** YAML 1.1 core scalars as go-yaml v2 resolves them, without the timestamp and sexagesimal extras. */
const goYamlOptions: DocumentOptions & SchemaOptions = {
  version: "1.1",
  customTags: (tags) =>
    tags.filter((t) => {
      const tag = typeof t === "string" ? t : t.tag;
      if (typeof t !== "string" && "format" in t && t.format === "TIME") return false;
      return !/:(timestamp|binary|omap|pairs|set)$/.test(tag);
    }),
};

/** The object as YAML text, the way Flux serializes a resource before substitution. */
export function goYamlStringify(value: unknown): string {
  return stringify(value, { ...goYamlOptions, lineWidth: 0, aliasDuplicateObjects: false });
}

/** Parses one YAML document with the same scalar rules as goYamlStringify. */
export function goYamlParse(text: string): unknown {
  return parseYaml(text, { ...goYamlOptions, uniqueKeys: false });
}
