/**
 * YAML and JSON encoding as Go's libraries do it: `toJSONValue` mirrors encoding/json's view of a value
 * (map keys sorted, HTML characters escaped, floats in Go's JSON number format), `toYaml` mirrors
 * sigs.k8s.io/yaml (JSON first, then YAML 1.1 with sorted keys, sequences not indented under keys,
 * strings quoted when YAML 1.1 would read them as something else).
 */
import { Boxed } from "./exec.ts";
import { formatRFC3339Nano } from "./time.ts";
import {
  GoDuration,
  GoNumber,
  GoTime,
  isFloat,
  mapEntries,
  numValue,
  sliceItems,
  sortedKeys,
  type TypedMap,
  TypedSlice,
} from "./values.ts";
import { emitYaml } from "./yamlemit.ts";

/** Go's encoding/json float formatting (strconv 'f' unless the exponent is < -6 or >= 21). */
export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f}`);
  const a = Math.abs(f);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) {
    // strconv's 'e' format pads the exponent to two digits; encoding/json then drops the pad of e-0N.
    return f.toExponential().replace(/e\+(\d)$/, "e+0$1");
  }
  return String(f);
}

/** Marshals like Go's json.Marshal (compact); escapeHTML as Go's default encoder does. */
export function jsonMarshal(v: unknown, escapeHTML = true, indent?: string): string {
  const out = encode(v, indent, "");
  return escapeHTML
    ? out.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : out.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function encodeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function encode(v0: unknown, indent: string | undefined, prefix: string): string {
  const v = v0 instanceof Boxed ? v0.value : v0;
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return encodeString(v);
    case "boolean":
      return String(v);
    case "number":
      return Number.isInteger(v) ? String(v) : jsonFloat(v);
    case "bigint":
      return String(v);
  }
  if (v instanceof GoNumber) return isFloat(v) ? jsonFloat(v.value) : String(numValue(v));
  if (v instanceof GoTime) return encodeString(formatTimeRFC3339(v));
  if (v instanceof GoDuration) return String(v.ns);
  if (v instanceof Uint8Array) return encodeString(Buffer.from(v).toString("base64"));
  const nl = indent === undefined ? "" : `\n${prefix}${indent}`;
  const end = indent === undefined ? "" : `\n${prefix}`;
  const sep = indent === undefined ? ":" : ": ";
  if (Array.isArray(v) || v instanceof TypedSlice) {
    const items = sliceItems(v);
    if (items.length === 0) return "[]";
    return `[${items.map((e) => nl + encode(e, indent, prefix + (indent ?? ""))).join(",")}${end}]`;
  }
  if (typeof v === "object") {
    const m = mapEntries(v as Record<string, unknown> | TypedMap);
    const keys = sortedKeys(m);
    if (keys.length === 0) return "{}";
    return `{${keys.map((k) => nl + encodeString(k) + sep + encode(m[k], indent, prefix + (indent ?? ""))).join(",")}${end}}`;
  }
  return "null";
}

function formatTimeRFC3339(t: GoTime): string {
  return formatRFC3339Nano(t);
}

/** The JSON-decoded form of a value (what sigs.k8s.io/yaml sees after json.Marshal). */
export function toPlain(v: unknown): unknown {
  return JSON.parse(jsonMarshal(v, false), (_k, val) => val);
}

/** sigs.k8s.io/yaml.Marshal. */
export function toYaml(v: unknown): string {
  return emitYaml(jsonMarshal(v, false));
}
