/**
 * A faster way to the same result for `spec.resources` entries. flux-operator renders a resource as one
 * YAML text and parses the output; for 8,000 objects the parse dominates. When a resource allows it, Ferry
 * renders only the templated string fields and places each result where the YAML parse would have put it:
 * a plain scalar is resolved with the same YAML rules, a single-quoted one is taken literally. Whenever the
 * two ways could differ — a trim marker at a field's edge, a template in a key, a result with a newline, a
 * quote, a `: `, a comment, a collection — the caller falls back to the full text rendering, so the result
 * is always what the full rendering gives.
 */
import { isRecord } from "../object.ts";
import { goYamlParse, goYamlTemplateText } from "../yaml.ts";
import type { InputSet } from "./inputs.ts";

type Path = Array<string | number>;
interface Leaf {
  path: Path;
  template: string;
  quoted: boolean;
}

export interface Plan {
  /** The resource as the full rendering parses it before templating (sorted keys). */
  skeleton: unknown;
  leaves: Leaf[];
}

const FALLBACK = Symbol("fallback");

/** A plan for a resource, or undefined when only the full rendering is faithful. */
export function compilePlan(text: string): Plan | undefined {
  let skeleton: unknown;
  try {
    skeleton = goYamlParse(text);
  } catch {
    return undefined;
  }
  const leaves: Leaf[] = [];
  return collectLeaves(skeleton, [], leaves) && leaves.length > 0 ? { skeleton, leaves } : undefined;
}

/** How a templated string field would be written in the YAML text, or undefined when it cannot be a leaf. */
function leafOf(v: string, path: Path): Leaf | undefined {
  if (v.startsWith("<<-") || v.endsWith("->>")) return undefined;
  const style = goYamlTemplateText({ k: v }).slice(3, 4);
  if (style === "|" || style === ">" || style === '"') return undefined;
  return { path, template: v, quoted: style === "'" };
}

/** Adds the templated string fields under `v` to `leaves`; false when the resource needs the full rendering. */
function collectLeaves(v: unknown, path: Path, leaves: Leaf[]): boolean {
  if (typeof v === "string") {
    if (!v.includes("<<")) return true;
    const leaf = leafOf(v, path);
    if (leaf) leaves.push(leaf);
    return leaf !== undefined;
  }
  if (Array.isArray(v)) return v.every((item, i) => collectLeaves(item, [...path, i], leaves));
  if (isRecord(v)) {
    return Object.entries(v).every(
      ([k, child]) => !k.includes("<<") && collectLeaves(child, [...path, k], leaves),
    );
  }
  return true;
}

/** The rendered object, or undefined when the full rendering must be used for this input. */
export function renderPlan(
  plan: Plan,
  input: InputSet | undefined,
  render: (source: string, inputs: InputSet | undefined) => string,
): unknown {
  const values: unknown[] = [];
  for (const leaf of plan.leaves) {
    let r: string;
    try {
      r = render(leaf.template, input);
    } catch {
      return undefined;
    }
    const v = leaf.quoted ? quotedValue(r) : plainValue(r);
    if (v === FALLBACK) return undefined;
    values.push(v);
  }
  const out = structuredClone(plan.skeleton);
  plan.leaves.forEach((leaf, i) => {
    let parent = out as Record<string | number, unknown>;
    for (const key of leaf.path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    parent[leaf.path.at(-1) as string | number] = values[i];
  });
  return out;
}

function quotedValue(r: string): unknown {
  return r.includes("'") || r.includes("\n") ? FALLBACK : r;
}

function plainValue(r: string): unknown {
  if (r.includes("\n") || r.includes("\t") || r.includes(": ") || r.includes(" #") || r.endsWith(":"))
    return FALLBACK;
  const t = r.trim();
  if (t === "") return null;
  if (/^(---|\.\.\.|- |\? |[&*!%@`|>{[])/.test(t) || t === "-" || t === "?") return FALLBACK;
  let v: unknown;
  try {
    v = goYamlParse(t);
  } catch {
    return FALLBACK;
  }
  if (v === undefined) return null;
  return typeof v === "object" && v !== null ? FALLBACK : v;
}
