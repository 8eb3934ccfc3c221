/**
 * The functions Flux Operator adds for ResourceSet templates on top of slim-sprig: `inputs` (the input
 * set), `slugify` (gosimple/slug with max length 63 and smart truncation), `toYaml` and `mustToYaml`
 * (sigs.k8s.io/yaml, keeping the trailing newline).
 */
import { type FuncMap, fn } from "./funcs.ts";
import { slugify } from "./slug.ts";
import type { Template } from "./template.ts";
import { toYaml } from "./yaml.ts";

export function resourceSetFuncs(t: Template): FuncMap {
  return {
    inputs: fn([], () => t.inputs?.value),
    slugify: fn(["string"], (s: string) => slugify(s)),
    toYaml: fn(["any"], (v: unknown) => {
      try {
        return toYaml(v);
      } catch {
        return "";
      }
    }),
    mustToYaml: fn(["any"], (v: unknown) => toYaml(v)),
  };
}
