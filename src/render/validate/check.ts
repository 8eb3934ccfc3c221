/**
 * A minimal structural-schema checker: `type`, `required`, `properties`, `additionalProperties`, `enum`,
 * `items`, `pattern`, `$ref`, `allOf`, `nullable`, `x-kubernetes-int-or-string` and
 * `x-kubernetes-preserve-unknown-fields`. A null value counts as unset (the API server drops it). Unknown
 * fields are reported only in strict mode, as the API server only warns about them.
 */
import type { JsonSchema } from "../../api/index.ts";

export interface FieldProblem {
  /** Dotted path such as `spec.template.spec.containers[0].image` (empty for the object itself). */
  field: string;
  message: string;
}

export interface CheckOptions {
  strict?: boolean;
  /** Resolves a `$ref` name to its schema. */
  resolve?: (ref: string) => JsonSchema | undefined;
}

export function checkValue(value: unknown, schema: JsonSchema, opts: CheckOptions = {}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const patterns = new Map<string, RegExp | null>();
  /** Patterns are RE2 upstream; one JavaScript cannot compile is skipped rather than failing the check. */
  const compiled = (pattern: string): RegExp | null => {
    let re = patterns.get(pattern);
    if (re === undefined) {
      try {
        re = new RegExp(pattern, "u");
      } catch {
        re = null;
      }
      patterns.set(pattern, re);
    }
    return re;
  };
  const walk = (v: unknown, s: JsonSchema, path: string, depth: number): void => {
    if (depth > 64) return;
    if (v === null || v === undefined) return;
    if (s.$ref) {
      const target = opts.resolve?.(s.$ref);
      if (target) walk(v, target, path, depth + 1);
    }
    for (const part of s.allOf ?? []) walk(v, part, path, depth + 1);
    const typeProblem = checkType(v, s);
    if (typeProblem !== undefined) {
      if (typeProblem) problems.push({ field: path, message: typeProblem });
      return;
    }
    const valueProblem = checkEnumAndPattern(v, s, compiled);
    if (valueProblem) problems.push({ field: path, message: valueProblem });
    if (Array.isArray(v)) {
      if (s.items) for (const [i, item] of v.entries()) walk(item, s.items, `${path}[${i}]`, depth + 1);
      return;
    }
    if (typeof v === "object") walkObject(v as Record<string, unknown>, s, path, depth);
  };
  const walkObject = (o: Record<string, unknown>, s: JsonSchema, path: string, depth: number): void => {
    for (const r of s.required ?? []) {
      if (o[r] === undefined || o[r] === null)
        problems.push({ field: join(path, r), message: "is required" });
    }
    const props = s.properties ?? {};
    const closed =
      opts.strict &&
      s["x-kubernetes-preserve-unknown-fields"] !== true &&
      s.additionalProperties !== true &&
      (s.properties !== undefined || s.additionalProperties === false);
    for (const [k, child] of Object.entries(o)) {
      const known = props[k];
      if (known) walk(child, known, join(path, k), depth + 1);
      else if (typeof s.additionalProperties === "object")
        walk(child, s.additionalProperties, join(path, k), depth + 1);
      else if (closed) problems.push({ field: join(path, k), message: "is not a known field" });
    }
  };
  walk(value, schema, "", 0);
  return problems;
}

function checkEnumAndPattern(
  v: unknown,
  s: JsonSchema,
  compiled: (pattern: string) => RegExp | null,
): string | undefined {
  if (s.enum && !s.enum.some((e) => e === v)) {
    return `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(v)}`;
  }
  if (s.pattern && typeof v === "string") {
    const re = compiled(s.pattern);
    if (re && !re.test(v)) return `must match ${s.pattern}, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** A message when `v` has the wrong type, "" when int-or-string accepts it, undefined to keep checking. */
function checkType(v: unknown, s: JsonSchema): string | undefined {
  if (s["x-kubernetes-int-or-string"]) {
    return typeof v === "string" || Number.isInteger(v)
      ? ""
      : `must be an integer or a string, got ${describe(v)}`;
  }
  if (s.type && !hasType(v, s.type)) return `must be ${article(s.type)}, got ${describe(v)}`;
  return undefined;
}

function hasType(v: unknown, type: NonNullable<JsonSchema["type"]>): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(type: string): string {
  return type === "integer" || type === "array" || type === "object" ? `an ${type}` : `a ${type}`;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
