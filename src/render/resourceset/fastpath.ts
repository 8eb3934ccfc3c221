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
  let ok = true;
  const walk = (v: unknown, path: Path): void => {
    if (!ok) return;
    if (typeof v === "string") {
      if (!v.includes("<<")) return;
      if (v.startsWith("<<-") || v.endsWith("->>")) {
        ok = false;
        return;
      }
      const style = goYamlTemplateText({ k: v }).slice(3, 4);
      if (style === "|" || style === ">" || style === '"') {
        ok = false;
        return;
      }
      leaves.push({ path, template: v, quoted: style === "'" });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, [...path, i]);
      });
      return;
    }
    if (isRecord(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes("<<")) {
          ok = false;
          return;
        }
        walk(child, [...path, k]);
      }
    }
  };
  walk(skeleton, []);
  return ok && leaves.length > 0 ? { skeleton, leaves } : undefined;
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
