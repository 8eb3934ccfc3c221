/**
 * YAML in and out of the render pipeline. Reading accepts multi-document streams and names the file and line
 * of a syntax error. The `goYaml*` pair reproduces how Flux round-trips an object through YAML text for
 * variable substitution (go-yaml v2 scalars: `yes`/`on` are booleans, `0755` is octal), so `replicas: ${N}`
 * becomes a number, as on a cluster. Those parse with js-yaml (fast enough for thousands of ResourceSet
 * objects); the file reader uses the `yaml` package for its precise error positions.
 */
import * as jsyaml from "js-yaml";
import { type DocumentOptions, parseAllDocuments, type SchemaOptions, stringify } from "yaml";
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
      const detail = (err.message.split("\n")[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, "");
      throw new YamlError(file, line, detail, { cause: err });
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

/**
 * Multi-document YAML, each document preceded by `---`. Written with YAML 1.1 quoting, so that a string
 * such as `yes`, `on`, `0755` or `2001-12-14` stays a string for the go-yaml v2 readers (kubectl, Flux).
 */
export function stringifyObjects(objects: readonly unknown[]): string {
  let out = "";
  for (const o of objects)
    out += `---\n${stringify(o, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false })}`;
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
  // go-yaml quotes a string that cannot be plain with single quotes (no escapes) and writes multi-line
  // strings as literal blocks: the same here, so a substituted `\` or `"` means the same thing.
  return stringify(value, {
    ...goYamlOptions,
    lineWidth: 0,
    aliasDuplicateObjects: false,
    singleQuote: true,
    blockQuote: "literal",
  });
}

/** The non-empty documents of a stream, with go-yaml v2's scalar rules; throws on syntax errors. */
export function goYamlParseAll(text: string): unknown[] {
  const out: unknown[] = [];
  jsyaml.loadAll(
    text,
    (d) => {
      if (d !== null && d !== undefined) out.push(d);
    },
    { schema: goYamlSchema },
  );
  return out;
}

/** Template text of an object as flux-operator feeds it to Go templates: sorted keys, go-yaml quoting. */
export function goYamlTemplateText(value: unknown): string {
  return stringify(value, {
    ...goYamlOptions,
    lineWidth: 0,
    aliasDuplicateObjects: false,
    sortMapEntries: true,
    singleQuote: true,
    blockQuote: "literal",
  });
}

/** Parses one YAML document with go-yaml v2's scalar rules. */
export function goYamlParse(text: string): unknown {
  return jsyaml.load(text, { schema: goYamlSchema });
}

const INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml v2 integers: Go's base-0 syntax (0x, 0o, 0b, leading-0 octal), underscores ignored; no base 60. */
const goInt = jsyaml.defineScalarTag<number>("tag:yaml.org,2002:int", {
  implicit: true,
  implicitFirstChars: ["-", "+", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  resolve: (src) => {
    const t = src.replaceAll("_", "");
    if (!INT.test(t)) return jsyaml.NOT_RESOLVED;
    const neg = t.startsWith("-");
    const body = t.replace(/^[-+]/, "");
    let n: number;
    if (/^0[xX]/.test(body)) n = Number.parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) n = Number.parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) n = Number.parseInt(body.slice(2), 2);
    else if (body.length > 1 && body.startsWith("0")) n = Number.parseInt(body.slice(1), 8);
    else n = Number.parseInt(body, 10);
    return neg ? -n : n;
  },
  identify: (v) => Number.isInteger(v),
});

/** go-yaml v2 floats: decimal with optional exponent, and the .inf/.nan spellings. */
const goFloat = jsyaml.defineScalarTag<number>("tag:yaml.org,2002:float", {
  implicit: true,
  implicitFirstChars: null,
  resolve: (src) => {
    if (FLOAT.test(src)) return Number.parseFloat(src);
    if (/^[-+]?\.(inf|Inf|INF)$/.test(src)) return src.startsWith("-") ? -Infinity : Infinity;
    if (/^\.(nan|NaN|NAN)$/.test(src)) return Number.NaN;
    return jsyaml.NOT_RESOLVED;
  },
  identify: (v) => typeof v === "number",
});

const goYamlSchema = new jsyaml.Schema([
  jsyaml.strTag,
  jsyaml.seqTag,
  jsyaml.mapTag,
  jsyaml.nullYaml11Tag,
  jsyaml.boolYaml11Tag,
  goInt,
  goFloat,
  jsyaml.mergeTag,
]);
