/**
 * The bridge to the Go template engine (src/template): renders ResourceSet templates the way flux-operator
 * does — `<<`/`>>` delimiters, the "resourceset" function library (slim-sprig, slugify, toYaml…),
 * `missingkey=error`, dot nil and `inputs` returning the input set being rendered. Each distinct template
 * text is parsed once per renderer and executed for every input set.
 */
import { fn, parse, type Template } from "../../template/index.ts";
import type { RenderFn } from "./build.ts";
import type { InputSet } from "./inputs.ts";

/** A RenderFn backed by src/template; keep one per expansion run (it caches parsed templates). */
export function templateRenderer(): RenderFn {
  const parsed = new Map<string, Template>();
  let current: InputSet = {};
  const inputs = fn([], () => current);
  return (source, input, name) => {
    const key = `${name}\u0000${source}`;
    let t = parsed.get(key);
    if (!t) {
      t = parse(source, {
        name,
        delims: ["<<", ">>"],
        functions: "resourceset",
        missingKey: "error",
        extraFuncs: { inputs },
      });
      parsed.set(key, t);
    }
    // Without inputs flux-operator's `inputs` is a nil map: a field access fails with "no entry for key".
    current = input ?? {};
    return t.execute(undefined);
  };
}
